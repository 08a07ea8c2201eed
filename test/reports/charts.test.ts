/**
 * Chart specs: valid against the JSON schemas the vega and vega-lite packages ship,
 * rendered to SVG (data escaped, min/max printed on every radar axis) and to PNG.
 */
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ajv } from 'ajv';
import { newestRecords, readRecords } from '../../records/records.ts';
import { barsSpec } from '../../reports/charts/bars.ts';
import { gapSpec } from '../../reports/charts/gap.ts';
import { heatmapData, heatmapSpec } from '../../reports/charts/heatmap.ts';
import { FONT_CANDIDATES, measureText, readGlyphWidths } from '../../reports/fonts.ts';
import { axisAngles, radarSpec } from '../../reports/charts/radar.ts';
import { buildLeaderboard } from '../../reports/leaderboard.ts';
import { sampleRecord } from '../../reports/sample.ts';
import { compileVegaLite, inlineSvg, pngSize, renderPng, renderSvg } from '../../reports/render.ts';
import { EVIL, writeTestResults } from './records.ts';

// The schemas are not in the packages' "exports": read them from node_modules.
const schema = (path: string) => JSON.parse(readFileSync(new URL(`../../node_modules/${path}`, import.meta.url), 'utf8')) as object;
// Formats are not checked (the schemas only use "uri" for $schema); no code
// optimisation halves the compile time of these large schemas.
const ajv = new Ajv({ strict: false, validateFormats: false, code: { optimize: false } });
const validateVega = ajv.compile(schema('vega/build/vega-schema.json'));
const validateVegaLite = ajv.compile(schema('vega-lite/build/vega-lite-schema.json'));

const { folders } = writeTestResults();
const board = buildLeaderboard(newestRecords(readRecords(folders)));

function assertValid(validate: typeof validateVega, spec: unknown, name: string): void {
  const valid = validate(JSON.parse(JSON.stringify(spec)));
  assert.ok(valid, `${name}: ${JSON.stringify(validate.errors?.slice(0, 3), null, 1)}`);
}

test('every spec is valid against the schema its package ships', () => {
  assertValid(validateVega, radarSpec(board), 'radar (Vega)');
  assertValid(validateVegaLite, heatmapSpec(board), 'heatmap (Vega-Lite)');
  assertValid(validateVegaLite, gapSpec(board), 'gap (Vega-Lite)');
  for (const benchmark of board.benchmarks) assertValid(validateVegaLite, barsSpec(board, benchmark), `bars ${benchmark.dataset}`);
  // ...and the compiled Vega-Lite is valid Vega.
  assertValid(validateVega, compileVegaLite(heatmapSpec(board)), 'compiled heatmap');
});

test('the schema check can fail', () => {
  const broken = { ...radarSpec(board), width: 'wide' };
  assert.not.ok(validateVega(broken));
  assert.not.ok(validateVegaLite({ ...heatmapSpec(board), mark: 'bars' }));
});

test('radar: six spokes, classification opposite retrieval, EuroSAT classification upper left', () => {
  const angles = axisAngles(6).map((angle) => Math.round((angle * 180) / Math.PI));
  assert.equal(angles, [120, 180, 240, 300, 360, 420]);
});

/** Texts of the SVG's <text> elements, unescaped. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)].map(([, inner]) => inner
    .replace(/<tspan[^>]*>/g, '\n').replace(/<\/tspan>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

test('radar SVG prints the lowest and highest score on every axis and one legend entry per model', async () => {
  const svg = await renderSvg(radarSpec(board));
  const texts = svgTexts(svg);
  // Hand-computed from records.ts (see leaderboard.test.ts).
  for (const value of ['34.0', '67.9', '34.3', '63.0', '36.4', '48.1', '20.1', '30.0', '52.3', '59.6', '26.3', '35.6']) {
    assert.ok(texts.filter((text) => text === value).length >= 1, `axis annotation ${value} printed`);
  }
  for (const title of ['EuroSAT\nClassification', 'METER-ML\nRetrieval', 'BigEarthNet\nClassification']) {
    assert.ok(texts.some((text) => text.trim() === title.trim() || text.replace(/^\n/, '') === title), `axis title ${JSON.stringify(title)}`);
  }
  for (const model of ['Alpha-MS-CLIP', 'Beta-RGB', 'Delta-RGB', EVIL]) {
    assert.is(texts.filter((text) => text === model).length, 1, `legend entry for ${model}`);
  }
  assert.not.ok(svg.includes('<img'), 'the model name is escaped in the SVG');
  assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;'));
});

test('heatmap cells hold raw values; bars and gap render', async () => {
  const { rows } = heatmapData(board);
  const cell = rows.find((row) => row.entry === 'Alpha-MS-CLIP' && row.column === 'EuroSAT · acc1')!;
  assert.is(cell.text, '67.9');
  assert.is(cell.relative, 1);
  const heatmap = await renderSvg(compileVegaLite(heatmapSpec(board)));
  assert.ok(svgTexts(heatmap).includes('67.9'));
  const bars = await renderSvg(compileVegaLite(barsSpec(board, board.benchmarks[0])));
  assert.ok(svgTexts(bars).includes('herbaceousvegetation'), 'per-class bars name the classes');
  const gap = await renderSvg(compileVegaLite(gapSpec(board)));
  assert.ok(svgTexts(gap).some((text) => text.includes('Gap to Delta-RGB')));
});

test('PNG renders with text at a sensible size', async () => {
  const svg = await renderSvg(radarSpec(board));
  const png = renderPng(svg);
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const { width, height } = pngSize(png);
  assert.ok(width > 1000 && height > 800, `radar PNG is ${width}x${height}`);
  // Text is drawn: the same chart without any text renders to a clearly smaller file.
  const withoutText = renderPng(svg.replace(/<text\b[^>]*>[\s\S]*?<\/text>/g, ''));
  assert.ok(png.length > withoutText.length * 1.2, `text adds to the PNG (${png.length} vs ${withoutText.length} bytes)`);
});

test('inlined SVG: ids prefixed and marks get <title> tooltips', async () => {
  const svg = inlineSvg(await renderSvg(compileVegaLite(heatmapSpec(board))), 'heatmap');
  const ids = [...svg.matchAll(/\bid="([^"]+)"/g)].map(([, id]) => id);
  assert.ok(ids.length > 0 && ids.every((id) => id.startsWith('heatmap-')), 'ids prefixed');
  for (const [, reference] of svg.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(reference), `url(#${reference}) resolves`);
  const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map(([, text]) => text);
  assert.ok(titles.some((text) => text.includes('&lt;img src=x onerror=alert(1)&gt;')), 'tooltip text stays escaped');
});

test('one model: every axis has one printed score and the radar still renders', async () => {
  const record = sampleRecord({ model: 'solo', dataset: 'METERML_MS', classification: 0.5, retrieval: 0.25 });
  const single = buildLeaderboard({ kept: [{ path: 'solo.json', record }] });
  assert.equal(single.headlines.map((headline) => headline.meanGap), [null, null]);
  const spec = radarSpec(single);
  assertValid(validateVega, spec, 'single-model radar');
  const annotations = (spec.data as { name: string; values?: unknown[] }[]).find((data) => data.name === 'annotations')!.values!;
  assert.is(annotations.length, 2, 'one annotation per axis when min == max');
  const texts = svgTexts(await renderSvg(spec));
  // Each annotation is drawn twice: a white halo, then the text.
  assert.is(texts.filter((text) => text === '50.0').length, 2);
  assert.is(texts.filter((text) => text === '25.0').length, 2);
});

test('the committed fallback font is readable and measures like DejaVu Sans', () => {
  const fallback = FONT_CANDIDATES.find((path) => path.includes('reports'))!;
  assert.ok(existsSync(fallback), `${fallback} is committed`);
  const widths = readGlyphWidths(fallback)!;
  assert.is(widths.width('0'.codePointAt(0)!), 1303 / 2048, 'DejaVu Sans digits are 1303 of 2048 units wide');
  assert.ok(measureText(widths, 'iiii', 10) < measureText(widths, 'MMMM', 10) / 2);
});

test.run();
