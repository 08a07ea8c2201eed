// The few-shot part of the leaderboard: curves and the labels-to-95% headline from
// few-shot records, the label-efficiency chart (log x, +-1 std bands, dashed zero-shot
// levels), the few-shot page, and the main table and radar kept to zero-shot, all-band
// records (a newer few-shot or band-condition record must not replace a zero-shot cell).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeRecord, type LoadedRecord, type ResultRecord } from '../../records/records.ts';
import { buildReport } from '../../reports/build.ts';
import { curveData, labelEfficiencySpec, levelData } from '../../reports/charts/label-efficiency.ts';
import { buildFewShot, labelsToTarget } from '../../reports/few-shot.ts';
import { isLeaderboardRecord } from '../../reports/values.ts';
import { fewShotHeadlines, fewShotTable } from '../../reports/few-shot-page.ts';
import { compileVegaLite, renderSvg } from '../../reports/render.ts';
import { sampleRecord } from '../../reports/sample.ts';

const work = mkdtempSync(join(tmpdir(), 'report-few-shot-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** A few-shot record whose acc1 means per budget are `means` (budgets 1, 2, 5, 10, all), std 0.02, zero-shot `zeroShot`. */
function fewShotRecord(model: string, probe: string, means: number[], zeroShot: number, extra: Partial<ResultRecord> = {}): ResultRecord {
  const budgets = [1, 2, 5, 10, 'all'];
  const base = sampleRecord({ model, dataset: 'EuroSAT_MS', classification: means.at(-1)!, retrieval: 0.5, imageKind: model.includes('MS') ? 'multispectral' : 'rgb', date: '2026-03-01T00:00:00.000Z' });
  return {
    ...base,
    templates: 'none',
    evaluation: 'few-shot',
    probe,
    budget_kind: 'per-class',
    metrics: { acc1: means.at(-1)!, mean_per_class_recall: means.at(-1)!, macro_f1: means.at(-1)! },
    zero_shot_on_test: { templates: 'msclip', n_images: 100, metrics: { acc1: zeroShot } },
    curve_summary: budgets.map((budget, index) => ({
      budget, budget_kind: 'per-class', draws: budget === 'all' ? 1 : 10, labels_per_class: budget === 'all' ? 32 : budget,
      metrics: { acc1: { mean: means[index], std: 0.02, ci95: [means[index] - 0.01, means[index] + 0.01] } },
    })),
    ...extra,
  };
}

const loaded = (record: ResultRecord, path = `/results/${record.model}.${String(record.probe)}.json`): LoadedRecord => ({ path, record });

test('series: the curve, the zero-shot level and the labels per class to 95% of the largest-budget score', () => {
  const board = buildFewShot([
    loaded(fewShotRecord('Alpha-MS', 'logreg', [0.5, 0.8, 0.9, 0.95, 1.0], 0.7)),
    loaded(fewShotRecord('Beta-RGB', 'logreg', [0.58, 0.6, 0.6, 0.6, 0.6], 0.55)),
    loaded(sampleRecord({ model: 'Zero', dataset: 'EuroSAT_MS', classification: 0.5, retrieval: 0.5 })),
    loaded({ ...fewShotRecord('Broken', 'knn', [0.5, 0.5, 0.5, 0.5, 0.5], 0.5), curve_summary: [{ budget: 'many' }] }, '/results/broken.json'),
  ]);
  assert.is(board.benchmarks.length, 1);
  const [benchmark] = board.benchmarks;
  assert.equal(benchmark.series.map((series) => series.label), ['Alpha-MS · logreg', 'Beta-RGB · logreg']);
  const [alpha, beta] = benchmark.series;
  assert.is(alpha.labelsTo95, 10, '0.95 x 1.0 is first reached at 10 per class');
  assert.is(beta.labelsTo95, 1, '0.58 >= 0.95 x 0.6');
  assert.is(alpha.zeroShot, 0.7);
  assert.equal(alpha.points.map((point) => point.labelsPerClass), [1, 2, 5, 10, 32]);
  assert.equal(board.skipped, [{ path: '/results/broken.json', reason: 'budget "many" is not a number or "all"' }]);
  assert.equal(labelsToTarget(alpha.points, 0.5).budget, 1);
  // Page strings: mean ± std per budget, the level, the headline.
  const table = fewShotTable(benchmark);
  assert.equal(table.columns.map((column) => column.label), ['1', '2', '5', '10', 'all', 'zero-shot', 'to 95%']);
  assert.equal(table.rows[0].cells.map((cell) => cell.text), ['50.0 ± 2.0', '80.0 ± 2.0', '90.0 ± 2.0', '95.0 ± 2.0', '100.0 ± 2.0', '70.0', '10']);
  assert.equal(fewShotHeadlines(benchmark)[0], 'Beta-RGB · logreg: 1 label per class reach 95% of its largest-budget score (60.0%); zero-shot on the same images: 55.0%');
});

test('the chart: log x, a line and a +-1 std band per (model, probe), a dashed zero-shot level per model', async () => {
  const { benchmarks: [benchmark] } = buildFewShot([
    loaded(fewShotRecord('Alpha-MS', 'logreg', [0.5, 0.8, 0.9, 0.95, 1.0], 0.7)),
    loaded(fewShotRecord('Alpha-MS', 'knn', [0.4, 0.7, 0.85, 0.9, 0.92], 0.7)),
  ]);
  const spec = labelEfficiencySpec(benchmark) as unknown as { layer: { data: { values: unknown[] }; layer?: { mark: { type: string } }[]; mark?: { type: string; strokeDash?: number[] }; encoding?: Record<string, unknown> }[] };
  const [curves, levels] = spec.layer;
  assert.equal(curves.layer!.map((layer) => layer.mark.type), ['line', 'area']);
  const encodingOf = (index: number) => (curves.layer![index] as unknown as { encoding: { x: { scale: { type: string } }; y: { field: string }; y2?: { field: string } } }).encoding;
  assert.is(encodingOf(0).x.scale.type, 'log');
  assert.equal([encodingOf(1).y.field, encodingOf(1).y2?.field], ['low', 'high']);
  const points = curveData(benchmark);
  assert.is(points.length, 10);
  const first = points.find((point) => point.probe === 'knn' && point.budget === '1')!;
  assert.equal([first.mean, first.low, first.high].map((value) => Number(value.toFixed(6))), [40, 38, 42]);
  assert.equal(levelData(benchmark), [{ model: 'Alpha-MS (demo)', value: 70, text: '70.0' }], 'one level per model, shared by its probes');
  assert.is(levels.mark!.type, 'rule');
  assert.equal(levels.mark!.strokeDash, [6, 4]);
  const svg = await renderSvg(compileVegaLite(labelEfficiencySpec(benchmark)));
  assert.match(svg, /Alpha-MS \(demo\)/);
  assert.match(svg, /labelled images per class/);
});

test('main table and radar: zero-shot all-band records only; few-shot records get their own page', async () => {
  assert.ok(isLeaderboardRecord(sampleRecord({ model: 'A', dataset: 'EuroSAT_MS', classification: 0.5, retrieval: 0.5 })));
  assert.not.ok(isLeaderboardRecord(fewShotRecord('A', 'knn', [0.5, 0.5, 0.5, 0.5, 0.5], 0.5)));
  const results = join(work, 'results');
  const zeroShot = (model: string, classification: number) => sampleRecord({ model, dataset: 'EuroSAT_MS', classification, retrieval: 0.4, imageKind: model.includes('MS') ? 'multispectral' : 'rgb', date: '2026-01-01T00:00:00.000Z' });
  writeRecord(results, 'run-1', zeroShot('Alpha-MS', 0.61));
  writeRecord(results, 'run-1', zeroShot('Beta-RGB', 0.52));
  // Newer records of the same models: a few-shot one (acc1 0.99) and a band condition (acc1 0.11).
  writeRecord(results, 'run-2', fewShotRecord('Alpha-MS', 'logreg', [0.5, 0.8, 0.9, 0.95, 0.99], 0.61));
  // 0.55 at 10 per class is below 0.95 x 0.6: Beta-RGB needs the whole split (32 per class).
  writeRecord(results, 'run-2', fewShotRecord('Beta-RGB', 'logreg', [0.3, 0.4, 0.5, 0.55, 0.6], 0.52));
  writeRecord(results, 'run-2', { ...zeroShot('Alpha-MS', 0.11), condition: { dropped: ['B11', 'B12'], fill: 'channel-mean', label: 'drop swir' }, provenance: { ...zeroShot('Alpha-MS', 0.11).provenance, date: '2026-04-01T00:00:00.000Z' } });
  const out = join(work, 'site');
  const report = await buildReport({ results: [results], out, bootstrap: { resamples: 0, seed: 0 } });
  const board = report.leaderboard;
  assert.equal(board.entries.map((entry) => entry.model).sort(), ['Alpha-MS', 'Beta-RGB']);
  const cell = (model: string) => board.cells[board.entries.find((entry) => entry.model === model)!.id].EuroSAT_MS.record;
  assert.is(cell('Alpha-MS').metrics.acc1, 0.61, 'the zero-shot record, not the newer few-shot or band-condition one');
  assert.is(cell('Beta-RGB').metrics.acc1, 0.52);
  assert.is(cell('Alpha-MS').evaluation, undefined);
  const page = join(out, 'few-shot.html');
  assert.ok(report.pages.includes(page));
  const html = readFileSync(page, 'utf8');
  assert.match(html, /Alpha-MS · logreg: 10 labels per class reach 95% of its largest-budget score \(99\.0%\)/);
  assert.match(html, /id="few-shot-table-EuroSAT_MS"/);
  assert.ok(existsSync(join(out, 'label-efficiency-EuroSAT_MS.svg')));
  assert.match(readFileSync(report.index, 'utf8'), /href="few-shot\.html#few-shot-EuroSAT_MS"/);
  const json = JSON.parse(readFileSync(report.json, 'utf8')) as { fewShot: { series: { model: string; labels_per_class_to_95: number }[] }[] };
  assert.equal(json.fewShot[0].series.map((series) => [series.model, series.labels_per_class_to_95]), [['Alpha-MS', 10], ['Beta-RGB', 32]]);
});

test.run();
