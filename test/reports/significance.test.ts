// The leaderboard's uncertainty, from logits saved beside the records: intervals in
// the main table as "48.07 [46.90, 49.30]", ties with the best after Holm, the mean's
// stratified interval, headline gains with interval and p-value, whiskers on the bars
// and the radar caption naming leads that are not significant.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapIntervals, multiLabelMetrics, recordStatistic, singleLabelMetrics, streamOf } from '../../metrics/index.ts';
import { Xoshiro128 } from '../../metrics/random.ts';
import { type ResultRecord, writeRecord } from '../../records/records.ts';
import { buildReport, type BuildReportResult } from '../../reports/build.ts';
import { SAMPLE_CLASSES, sampleRecord } from '../../reports/sample.ts';

const root = mkdtempSync(join(tmpdir(), 'msclip-significance-'));
const RUN = '2026-03-01T00-00-00Z-dddd';
const N = { EuroSAT_MS: 800, BigEarthNet_MS: 300 } as const;
type Dataset = keyof typeof N;

interface Arrays { logits: Float32Array; targets: Int32Array | Uint8Array; images: string[] }

/** Logits with a signal of `strength` towards the true classes; the same seed gives the same noise. */
function makeArrays(dataset: Dataset, strength: number, seed: number): Arrays {
  const n = N[dataset];
  const k = SAMPLE_CLASSES[dataset].classes.length;
  const random = new Xoshiro128(seed);
  const labels = new Xoshiro128(1000 + n);
  const uniform = () => random.nextUint32() / 2 ** 32;
  const logits = new Float32Array(n * k);
  const images = Array.from({ length: n }, (_, index) => `${dataset}/img_${String(index).padStart(4, '0')}.tif`);
  if (dataset === 'EuroSAT_MS') {
    const targets = new Int32Array(n);
    for (let image = 0; image < n; image++) {
      targets[image] = labels.below(k);
      for (let c = 0; c < k; c++) logits[image * k + c] = 2 * uniform() - 1 + (c === targets[image] ? strength : 0);
    }
    return { logits, targets, images };
  }
  const targets = new Uint8Array(n * k);
  for (let index = 0; index < n * k; index++) {
    targets[index] = labels.below(5) === 0 ? 1 : 0;
    logits[index] = 2 * uniform() - 1 + strength * targets[index];
  }
  return { logits, targets, images };
}

/** A record made as evaluate makes it: metrics and ci from the logits, which are saved beside it. */
function write(model: string, dataset: Dataset, arrays: Arrays, imageKind: 'multispectral' | 'rgb' = 'rgb'): void {
  const n = N[dataset];
  const { classes, task } = SAMPLE_CLASSES[dataset];
  const k = classes.length;
  const metrics = task === 'single-label'
    ? singleLabelMetrics(arrays.logits, n, k, arrays.targets as Int32Array).metrics
    : multiLabelMetrics(arrays.logits, n, k, arrays.targets as Uint8Array).metrics;
  const { ci, method } = bootstrapIntervals(recordStatistic(task, arrays.logits, n, k, arrays.targets), { resamples: 300, seed: 0, stream: streamOf(dataset) });
  const record: ResultRecord = {
    ...sampleRecord({ model, dataset, classification: 0.5, retrieval: 0.5, imageKind, demo: false, date: '2026-03-01T00:00:00.000Z' }),
    n_images: n, metrics, ci, ci_method: method, images: arrays.images,
  };
  writeRecord(root, RUN, record, { logits: { data: arrays.logits, shape: [n, k] }, targets: { data: arrays.targets, shape: task === 'single-label' ? [n] : [n, k] } });
}

/** `arrays` with image `image` turned from right to wrong (EuroSAT: its target logit lowered below the rest). */
function oneWorse(arrays: Arrays, k: number): Arrays {
  const logits = arrays.logits.slice();
  const targets = arrays.targets as Int32Array;
  const image = [...targets.keys()].find((index) => {
    const row = logits.subarray(index * k, (index + 1) * k);
    return row.indexOf(Math.max(...row)) === targets[index];
  })!;
  logits[image * k + targets[image]] = -5;
  return { ...arrays, logits };
}

/** The same images in reverse order: the same model quality, but not pairable row by row. */
function reversed(arrays: Arrays, k: number): Arrays {
  const n = arrays.images.length;
  const perRow = arrays.targets.length / n;
  const logits = new Float32Array(arrays.logits.length);
  const targets = arrays.targets.slice();
  for (let row = 0; row < n; row++) {
    logits.set(arrays.logits.subarray((n - 1 - row) * k, (n - row) * k), row * k);
    targets.set(arrays.targets.subarray((n - 1 - row) * perRow, (n - row) * perRow), row * perRow);
  }
  return { logits, targets, images: [...arrays.images].reverse() };
}

let site: BuildReportResult;
let html: string;

test.before(async () => {
  for (const dataset of ['EuroSAT_MS', 'BigEarthNet_MS'] as const) {
    const k = SAMPLE_CLASSES[dataset].classes.length;
    const best = makeArrays(dataset, 1.2, 1);
    write('Best-MS-CLIP', dataset, best, 'multispectral');
    write('Clone-CLIP', dataset, best);
    write('Twin-CLIP', dataset, dataset === 'EuroSAT_MS' ? oneWorse(best, k) : best);
    write('Weak-CLIP', dataset, makeArrays(dataset, 0.3, 2));
    write('Shuffled-CLIP', dataset, reversed(makeArrays(dataset, 0.35, 3), k));
  }
  site = await buildReport({ results: [root], out: join(root, 'site'), bootstrap: { resamples: 300, seed: 0 } });
  html = readFileSync(site.index, 'utf8');
});

test.after(() => rmSync(root, { recursive: true, force: true }));

const unescape = (text: string) => text
  .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
  .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const visible = (fragment: string) => unescape(fragment.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim();

/** The main table's rows: model label -> [{ class, text, title }] per score cell. */
function mainTable(): Map<string, { className: string; text: string; title: string }[]> {
  const table = /<table class="sortable" id="leaderboard">([\s\S]*?)<\/table>/.exec(html)![1];
  const rows = new Map<string, { className: string; text: string; title: string }[]>();
  for (const [, row] of table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
    const model = /<td class="text model">([^<]*)/.exec(row)?.[1];
    if (!model) continue;
    const cells = [...row.matchAll(/<td class="([^"]*)" data-sort="[^"]*" title="([^"]*)">([\s\S]*?)<\/td>/g)]
      .map(([, className, title, inner]) => ({ className, title: unescape(title), text: visible(inner) }));
    rows.set(model.trim(), cells);
  }
  return rows;
}

test('every score of the main table shows its interval as "value [low, high]"', () => {
  const rows = mainTable();
  assert.equal([...rows.keys()].sort(), ['Best-MS-CLIP', 'Clone-CLIP', 'Shuffled-CLIP', 'Twin-CLIP', 'Weak-CLIP']);
  for (const [model, cells] of rows) {
    assert.is(cells.length, 5, `${model}: 4 axes and the mean`);
    for (const cell of cells) assert.match(cell.text, /^\d+\.\d\d \[\d+\.\d\d, \d+\.\d\d\]( tied)?$/, `${model}: "${cell.text}"`);
  }
  // The EuroSAT classification cell is the record's acc1 and ci, in percent.
  const record = site.leaderboard.cells[JSON.stringify(['Best-MS-CLIP', 'msclip'])].EuroSAT_MS.record;
  const [low, high] = record.ci!.acc1!;
  const expected = `${(100 * record.metrics.acc1!).toFixed(2)} [${(100 * low).toFixed(2)}, ${(100 * high).toFixed(2)}]`;
  assert.is(rows.get('Best-MS-CLIP')![0].text, expected);
});

test('tied with the best: the clone and the one-image twin; not the weak model, nor one scored on other rows', () => {
  const rows = mainTable();
  const eurosatClassification = (model: string) => rows.get(model)![0];
  assert.not.ok(eurosatClassification('Best-MS-CLIP').className.includes('tied'));
  for (const model of ['Clone-CLIP', 'Twin-CLIP']) {
    assert.ok(eurosatClassification(model).className.includes('tied'), `${model} tied`);
    assert.ok(eurosatClassification(model).text.endsWith(' tied'), `${model}: visible "tied"`);
    assert.match(eurosatClassification(model).title, /Best-MS-CLIP - this: .* pp, p = .*, Holm-adjusted p = /);
  }
  assert.not.ok(eurosatClassification('Weak-CLIP').className.includes('tied'), 'weak model significantly worse');
  assert.match(eurosatClassification('Weak-CLIP').title, /significantly below the best/);
  assert.not.ok(eurosatClassification('Shuffled-CLIP').title.includes('Holm'), 'other row order: not compared');

  const axis = site.leaderboard.significance!.axes['EuroSAT_MS:classification'];
  const clone = axis.comparisons[JSON.stringify(['Clone-CLIP', 'msclip'])];
  assert.is(clone.comparison.difference, 0);
  assert.equal(clone.comparison.interval, [0, 0]);
  assert.is(clone.comparison.pValue, 1);
  const twin = axis.comparisons[JSON.stringify(['Twin-CLIP', 'msclip'])];
  assert.ok(Math.abs(twin.comparison.difference - 1 / 800) < 1e-12, `one image of 800: ${twin.comparison.difference}`);
  assert.ok(twin.adjustedP >= 0.05);
  assert.ok(axis.comparisons[JSON.stringify(['Weak-CLIP', 'msclip'])].adjustedP < 0.05);
  assert.is(axis.comparisons[JSON.stringify(['Shuffled-CLIP', 'msclip'])], undefined);
});

test('headline gains carry their interval and p-value; the radar caption names leads that are not significant', () => {
  const headline = visible(/<section id="headline">([\s\S]*?)<\/section>/.exec(html)![1]);
  // Best and its clone lead together: a gain of 0 with p = 1.
  assert.match(headline, /EuroSAT: Best-MS-CLIP \d+\.\d\d vs Clone-CLIP \d+\.\d\d \(0\.00 \[0\.00, 0\.00\], p = 1\.000\)/);
  assert.match(headline, /95% interval \[[-+]?\d+\.\d\d, [-+]?\d+\.\d\d\] pp, p = /);
  const caption = visible(/<figure class="chart" id="radar">[\s\S]*?<figcaption>([\s\S]*?)<\/figcaption>/.exec(html)![1]);
  assert.match(caption, /Leads that are not significant \(paired bootstrap, 300 resamples, Holm-corrected, 5%\): EuroSAT classification \(Best-MS-CLIP vs Clone-CLIP, Twin-CLIP\)/);
  assert.not.match(caption, /vs [^)]*Weak-CLIP/);
  assert.match(caption, /Not fully assessed/, 'the model on other rows could not be compared');
});

test('the mean column: stratified interval, compared with the top model', () => {
  const mean = site.leaderboard.significance!.mean;
  const best = site.leaderboard.entries[0];
  assert.ok(mean.intervals[best.id], 'interval for the top entry');
  const [low, high] = mean.intervals[best.id];
  assert.ok(low <= best.meanScore! + 0.05 && high >= best.meanScore! - 0.05 && low < high);
  assert.match(mainTable().get(best.label)![4].title, /stratified bootstrap/);
  assert.ok(mean.comparisons[JSON.stringify(['Weak-CLIP', 'msclip'])].adjustedP < 0.05);
});

test('bars get whiskers from the records\' intervals', () => {
  const spec = JSON.parse(readFileSync(join(root, 'site', 'bars-EuroSAT_MS.vl.json'), 'utf8')) as { vconcat: { layer: { mark: { type: string } }[]; data: { values: { entry: string; group: string; low?: number; high?: number }[] } }[] };
  const summary = spec.vconcat[0];
  assert.equal(summary.layer.map((layer) => layer.mark.type), ['bar', 'rule']);
  const acc1 = summary.data.values.find((row) => row.entry === 'Best-MS-CLIP' && row.group === 'acc1')!;
  const record = site.leaderboard.cells[JSON.stringify(['Best-MS-CLIP', 'msclip'])].EuroSAT_MS.record;
  assert.equal([acc1.low, acc1.high], record.ci!.acc1!.map((value) => 100 * value));
  const svg = readFileSync(join(root, 'site', 'bars-EuroSAT_MS.svg'), 'utf8');
  // The whiskers are the rule marks that are not axis parts: one per model and summary metric.
  const whiskers = [...svg.matchAll(/<g class="mark-rule role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g)].map(([, marks]) => (marks.match(/<line/g) ?? []).length);
  assert.equal(whiskers, [5 * 5], 'a whisker per model and summary metric');
});

test.run();
