/**
 * The built site in headless Chromium: no console errors, radar and table present,
 * an injection-shaped model name shown as text (no element made from it, no alert),
 * sorting and tooltips with JavaScript, charts and native tooltips without it.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeRecord } from '../../records/records.ts';
import { buildReport, type BuildReportResult } from '../../reports/build.ts';
import { pngSize } from '../../reports/render.ts';
import { sampleRecord } from '../../reports/sample.ts';
import { Chromium } from '../support/chromium.ts';
import { EVIL, writeTestResults } from './records.ts';

const EVIL_CLASS = '<script>alert(2)</script>';
let browser: Chromium;
let site: BuildReportResult;
let demoSite: BuildReportResult;
const out = mkdtempSync(join(tmpdir(), 'msclip-site-'));

test.before(async () => {
  const { folders, root } = writeTestResults();
  site = await buildReport({ results: folders, out });
  // A separate site with a demo benchmark whose class names are markup.
  const demo = join(root, 'run-demo');
  for (const [model, score] of [['Alpha-MS-CLIP', 0.8], [EVIL, 0.4]] as const) {
    writeRecord(demo, '2026-02-02T00-00-00Z-cccc', sampleRecord({
      model, dataset: 'demo_tiles', classification: score, retrieval: score, demo: true, classes: [EVIL_CLASS, 'fields & "meadows"', 'water'],
      imageKind: model === EVIL ? 'rgb' : 'multispectral', date: '2026-02-02T00:00:00.000Z',
    }));
  }
  demoSite = await buildReport({ results: [demo], out: join(out, 'demo') });
  browser = await Chromium.launch();
});

test.after(async () => {
  await browser?.close();
});

test('the site: pages, specs, SVG and PNG beside the page', () => {
  assert.equal(site.pages.map((page) => page.slice(out.length + 1)), [
    'index.html', 'benchmark-EuroSAT_MS.html', 'benchmark-BigEarthNet_MS.html', 'benchmark-METERML_MS.html',
  ]);
  for (const file of ['radar.vg.json', 'radar.svg', 'radar.png', 'heatmap.vl.json', 'gap.vl.json', 'bars-EuroSAT_MS.vl.json', 'leaderboard.json']) {
    assert.ok(existsSync(join(out, file)), `${file} written`);
  }
  const { width, height } = pngSize(readFileSync(join(out, 'radar.png')));
  assert.ok(width > 1000 && height > 800);
  const html = readFileSync(site.index, 'utf8');
  assert.not.ok(/https?:\/\//.test(html.replace(/https:\/\/vega\.github\.io\/schema\/[^"]*/g, '').replace(/http:\/\/www\.w3\.org\/[^"]*/g, '')), 'no external URL in the page');
  assert.not.ok(html.includes(EVIL), 'the raw model name never appears unescaped');
});

test('index page in Chromium: no errors, radar, table, evil name as text, headline', async () => {
  const page = await browser.open(pathToFileURL(site.index).href);
  assert.equal(page.errors(), [], 'no console errors');
  assert.equal(page.events.dialogs, [], 'no alert fired');
  const facts = await page.evaluate<Record<string, unknown>>(`(() => {
    const texts = (selector) => [...document.querySelectorAll(selector)].map((node) => node.textContent);
    return {
      images: document.querySelectorAll('img').length,
      onerror: document.querySelectorAll('[onerror]').length,
      scripts: document.querySelectorAll('script').length,
      radar: !!document.querySelector('#radar svg'),
      radarTexts: texts('#radar svg text'),
      rows: texts('#leaderboard tbody tr td.model'),
      headline: document.querySelector('#headline').textContent,
      runs: document.querySelector('#runs').textContent,
      demoBadges: document.querySelectorAll('.badge.demo').length,
      provenanceTitle: document.querySelector('#leaderboard tbody tr td[data-sort][title*="bundle"]')?.getAttribute('title'),
    };
  })()`);
  assert.is(facts.images, 0, 'no <img> element created from data');
  assert.is(facts.onerror, 0);
  assert.is(facts.scripts, 1, 'only the page script');
  assert.ok(facts.radar, 'radar present');
  assert.ok((facts.radarTexts as string[]).includes(EVIL), 'evil name printed as text in the radar legend');
  assert.ok((facts.rows as string[]).some((text) => text.startsWith(EVIL)), 'evil name printed as text in the table');
  assert.is((facts.rows as string[]).length, 4);
  assert.ok(String(facts.headline).includes('+4.20 pp'), 'classification headline');
  assert.ok(String(facts.headline).includes('+2.30 pp'), 'retrieval headline');
  assert.ok(String(facts.headline).includes('the 3 benchmarks (EuroSAT, BigEarthNet, METER-ML)'), 'headline says what it averages');
  assert.ok(String(facts.runs).includes('1 older records were left out'), 'the page says the newest record wins');
  assert.is(facts.demoBadges, 0, 'no demo badge on real results');
  assert.match(String(facts.provenanceTitle), /templates: msclip; bundle: image\.onnx a{12}, text\.onnx b{12}; commit: 0123456789ab; date: 2026-0\d-0\dT00:00:00.000Z; images: 100/);
  const shot = await page.screenshot(1600);
  writeFileSync(join(out, 'screenshot.png'), shot);
  assert.ok(pngSize(shot).height > 1000, 'screenshot taken');
});

test('sorting by a column and tooltips, with JavaScript', async () => {
  const page = await browser.open(pathToFileURL(site.index).href);
  const result = await page.evaluate<Record<string, unknown>>(`(() => {
    const table = document.querySelector('#leaderboard');
    const header = [...table.tHead.rows[0].cells].find((cell) => cell.textContent.trim() === 'METER-ML retr');
    const order = () => [...table.tBodies[0].rows].map((row) => row.cells[1].textContent.replace(/demo$/, '').trim());
    header.querySelector('button').click();
    const descending = order();
    header.querySelector('button').click();
    const ascending = order();
    const modelHeader = [...table.tHead.rows[0].cells].find((cell) => cell.textContent.trim() === 'Model');
    modelHeader.querySelector('button').click();
    const byName = order();
    const mark = document.querySelector('#radar svg [data-tip]');
    mark.dispatchEvent(new PointerEvent('pointerover', { bubbles: true }));
    const tip = document.querySelector('.tooltip');
    return { descending, ascending, byName, tipHidden: tip.hidden, tip: tip.textContent, titlesLeft: document.querySelectorAll('#radar svg [role="graphics-symbol"] > title').length };
  })()`);
  assert.equal(result.descending, ['Delta-RGB', 'Alpha-MS-CLIP', EVIL, 'Beta-RGB']);
  assert.equal(result.ascending, ['Beta-RGB', EVIL, 'Alpha-MS-CLIP', 'Delta-RGB']);
  // The first click sorts descending; "<" collates before letters.
  assert.equal(result.byName, ['Delta-RGB', 'Beta-RGB', 'Alpha-MS-CLIP', EVIL]);
  assert.is(result.tipHidden, false, 'tooltip shown on hover');
  assert.match(String(result.tip), /: (EuroSAT|BigEarthNet|METER-ML) (classification|retrieval) \(\w+\) \d+\.\d\d%$/, `tooltip text: ${String(result.tip)}`);
  assert.is(result.titlesLeft, 0, 'SVG titles moved into the styled tooltip');
  assert.equal(page.errors(), []);
});

test('without JavaScript: charts and their native tooltips are there', async () => {
  const page = await browser.open(pathToFileURL(site.index).href, { javascript: false });
  const result = await page.evaluate<Record<string, unknown>>(`({
    charts: document.querySelectorAll('figure.chart svg').length,
    titles: document.querySelectorAll('#radar svg [aria-roledescription="symbol mark"] > title').length,
    js: document.documentElement.className,
  })`);
  assert.is(result.js, '', 'the page script did not run');
  assert.is(result.charts, 3, 'radar, heatmap and gap charts inline');
  assert.is(result.titles, 4 * 6, 'one tooltip per radar vertex');
  assert.equal(page.errors(), []);
});

test('benchmark pages: no errors, class names from data shown as text, demo badges', async () => {
  for (const path of [...site.pages.slice(1), ...demoSite.pages]) {
    const page = await browser.open(pathToFileURL(path).href);
    assert.equal(page.errors(), [], `${path}: no console errors`);
    assert.equal(page.events.dialogs, [], `${path}: no alert`);
    const facts = await page.evaluate<{ scripts: number; images: number; classes: string[]; bars: boolean; svgTexts: string[]; demoBadges: number }>(`({
      demoBadges: document.querySelectorAll('.badge.demo').length,
      scripts: document.querySelectorAll('script').length,
      images: document.querySelectorAll('img').length,
      classes: [...(document.querySelectorAll('table.sortable')[1]?.tBodies[0].rows ?? [])].map((row) => row.cells[0].textContent),
      bars: !!document.querySelector('figure.chart svg'),
      svgTexts: [...document.querySelectorAll('figure.chart svg text')].map((node) => node.textContent),
    })`);
    assert.is(facts.scripts, 1);
    assert.is(facts.images, 0);
    assert.ok(facts.bars);
    assert.is(facts.demoBadges > 0, path.startsWith(demoSite.index.slice(0, -'index.html'.length)), `${path}: demo badges only on demo results`);
    if (path.endsWith('demo_tiles.html')) {
      assert.equal(facts.classes, [EVIL_CLASS, 'fields & "meadows"', 'water']);
      assert.ok(facts.svgTexts.includes(EVIL_CLASS), 'class name drawn as text in the bars');
    }
  }
});

test.run();
