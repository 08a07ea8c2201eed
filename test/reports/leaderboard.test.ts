/**
 * The view model against numbers worked out by hand from the records in records.ts.
 *
 * Headline, classification (leader vs runner-up per benchmark, points):
 *   EuroSAT 67.9 - 60.0 = 7.9, METER-ML 48.1 - 47.0 = 1.1, BigEarthNet 59.6 - 56.0 = 3.6
 *   mean = 12.6 / 3 = 4.20
 * Headline, retrieval:
 *   EuroSAT 63.0 - 61.0 = 2.0, METER-ML 30.0 (Delta) - 29.7 = 0.3, BigEarthNet 35.6 - 31.0 = 4.6
 *   mean = 6.9 / 3 = 2.30; Alpha (top-ranked) against the best other: (2.0 - 0.3 + 4.6) / 3 = 2.10
 * Radar extremes: EuroSAT cls 34.0-67.9, retr 34.3-63.0; METER-ML cls 36.4-48.1,
 *   retr 20.1-30.0; BigEarthNet cls 52.3-59.6, retr 26.3-35.6.
 * Mean scores: Alpha 3.039/6, Delta 2.850/6, Beta 2.402/6, EVIL 2.203/6, so the
 *   default baseline (best RGB) is Delta-RGB.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { newestRecords, readRecords } from '../../records/records.ts';
import { buildLeaderboard, imageKind, points } from '../../reports/leaderboard.ts';
import { sampleRecord } from '../../reports/sample.ts';
import { smoothedFloor, smoothedMinMax } from '../../reports/scaling.ts';
import { EVIL, SCORES, writeTestResults } from './records.ts';

const close = (actual: number | null, expected: number, message: string) => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${message}: expected ${expected}, got ${actual}`);
};

// Written and read once; every test builds its own view model from them.
const loaded = readRecords(writeTestResults().folders);

function board(baseline?: string) {
  const { kept, superseded } = newestRecords(loaded);
  return buildLeaderboard({ kept, superseded, recordsRead: loaded.length, baseline });
}

test('smoothed min-max keeps the worst model off the centre and preserves order', () => {
  assert.is(smoothedMinMax(10, 10, 20), 0.5 / 1.5);
  assert.is(smoothedMinMax(20, 10, 20), 1);
  assert.ok(smoothedMinMax(12, 10, 20) < smoothedMinMax(13, 10, 20));
  assert.is(smoothedMinMax(5, 5, 5), 1, 'empty range: everyone on the outer ring');
  assert.is(smoothedMinMax(10, 10, 20, { higherIsBetter: false }), 1, 'lower is better: the minimum is best');
  assert.is(smoothedMinMax(10, 10, 20, { epsilon: 1 }), 0.5);
  assert.is(smoothedFloor(0.5), 1 / 3);
});

test('newest record per model x dataset x templates wins; the older one is listed', () => {
  const view = board();
  assert.is(view.recordsRead, 13);
  assert.is(view.superseded.length, 1);
  assert.is(view.superseded[0].record.model, 'Beta-RGB');
  const beta = view.entries.find((entry) => entry.model === 'Beta-RGB')!;
  close(view.scores[beta.id]['EuroSAT_MS:classification'].value, 0.551, 'the newer Beta record is kept');
});

test('axes, ranges and radar radii', () => {
  const view = board();
  assert.equal(view.axes.map((axis) => axis.id), [
    'EuroSAT_MS:classification', 'BigEarthNet_MS:classification', 'METERML_MS:classification',
    'EuroSAT_MS:retrieval', 'BigEarthNet_MS:retrieval', 'METERML_MS:retrieval',
  ]);
  assert.equal(view.axes.map((axis) => axis.metric), ['acc1', 'Average_class_accuracy', 'acc1', 'mAP', 'Ave_mAP', 'mAP']);
  // Ranges recomputed here straight from the table of scores.
  for (const axis of view.axes) {
    const column = axis.task === 'classification' ? 0 : 1;
    const values = Object.values(SCORES).map(({ scores }) => scores[axis.dataset][column]);
    close(axis.min, Math.min(...values), `${axis.id} min`);
    close(axis.max, Math.max(...values), `${axis.id} max`);
    for (const entry of view.entries) {
      const score = view.scores[entry.id][axis.id];
      close(score.scaled, (score.value! - axis.min! + 0.5 * (axis.max! - axis.min!)) / (1.5 * (axis.max! - axis.min!)), `${entry.label} ${axis.id} radius`);
    }
  }
});

test('ranks and the default baseline (best RGB model)', () => {
  const view = board();
  assert.equal(view.entries.map((entry) => entry.label), ['Alpha-MS-CLIP', 'Delta-RGB', 'Beta-RGB', EVIL]);
  assert.equal(view.entries.map((entry) => entry.rank), [1, 2, 3, 4]);
  close(view.entries[0].meanScore, 3.039 / 6, 'Alpha mean');
  assert.is(view.baseline?.label, 'Delta-RGB');
  assert.is(view.baseline?.reason, 'best-rgb');
  const alpha = view.entries[0];
  close(view.gaps[alpha.id]['EuroSAT_MS:classification'], 7.9, 'gap to baseline');
  close(view.gaps[alpha.id]['METERML_MS:retrieval'], -0.3, 'negative gap to baseline');
  const chosen = board('Beta-RGB');
  assert.is(chosen.baseline?.reason, 'flag');
  close(chosen.gaps[alpha.id]['EuroSAT_MS:classification'], 12.8, 'gap to a chosen baseline');
  assert.throws(() => board('Gamma'), /unknown baseline model "Gamma"/);
});

test('headline gains equal the hand-computed values', () => {
  const view = board();
  const [classification, retrieval] = view.headlines;
  assert.is(classification.task, 'classification');
  close(classification.meanGap, (7.9 + 1.1 + 3.6) / 3, 'classification headline');
  assert.is(points(classification.meanGap), '+4.20');
  assert.is(classification.leaderEverywhere, 'Alpha-MS-CLIP');
  close(retrieval.meanGap, (2.0 + 0.3 + 4.6) / 3, 'retrieval headline');
  assert.is(points(retrieval.meanGap), '+2.30');
  assert.is(retrieval.leaderEverywhere, null, 'Delta leads METER-ML retrieval');
  assert.equal(retrieval.benchmarks.map((item) => item.leader), ['Alpha-MS-CLIP', 'Alpha-MS-CLIP', 'Delta-RGB']);
  close(retrieval.topEntry!.meanGap, (2.0 + 4.6 - 0.3) / 3, 'top-ranked model against the best other');
});

test('headlines average the real benchmarks only when demo ones are mixed in', () => {
  const records = [
    sampleRecord({ model: 'a', dataset: 'EuroSAT_MS', classification: 0.6, retrieval: 0.5, demo: false }),
    sampleRecord({ model: 'b', dataset: 'EuroSAT_MS', classification: 0.5, retrieval: 0.4, demo: false }),
    sampleRecord({ model: 'a', dataset: 'demo_tiles', classification: 0.9, retrieval: 0.9, demo: true }),
    sampleRecord({ model: 'b', dataset: 'demo_tiles', classification: 0.1, retrieval: 0.1, demo: true }),
  ].map((record, index) => ({ path: `r${index}.json`, record }));
  const view = buildLeaderboard({ kept: records });
  assert.equal(view.headlineDatasets, ['EuroSAT_MS']);
  close(view.headlines[0].meanGap, 10, 'demo benchmark left out');
  assert.ok(view.entries.every((entry) => entry.demo), 'an entry with a demo record is marked demo');
  assert.ok(view.entries[0].displayLabel.endsWith('(demo)'));
});

test('several template sets of one model are separate entries, labelled by set', () => {
  const records = [
    sampleRecord({ model: 'm', dataset: 'EuroSAT_MS', classification: 0.6, retrieval: 0.5, templates: 'msclip' }),
    sampleRecord({ model: 'm', dataset: 'EuroSAT_MS', classification: 0.5, retrieval: 0.4, templates: 'clip' }),
    sampleRecord({ model: 'n', dataset: 'EuroSAT_MS', classification: 0.4, retrieval: 0.3 }),
  ].map((record, index) => ({ path: `r${index}.json`, record }));
  const view = buildLeaderboard({ kept: records });
  assert.equal(view.entries.map((entry) => entry.label), ['m [msclip]', 'm [clip]', 'n']);
  assert.is(buildLeaderboard({ kept: records, baseline: 'm [clip]' }).baseline?.label, 'm [clip]');
});

test('image kind: provenance first, else a guess from the name', () => {
  const record = sampleRecord({ model: 'x', dataset: 'EuroSAT_MS', classification: 0.5, retrieval: 0.5, imageKind: 'multispectral' });
  assert.equal(imageKind([record], 'x'), { kind: 'multispectral', source: 'provenance' });
  const bare = { ...record, provenance: { ...record.provenance, image_kind: undefined } };
  assert.equal(imageKind([bare], 'Llama3-MS-CLIP-Base'), { kind: 'multispectral', source: 'name' });
  assert.equal(imageKind([bare], 'OpenCLIP-ViT-B-16'), { kind: 'rgb', source: 'name' });
  assert.equal(imageKind([bare], 'MSomething'), { kind: 'rgb', source: 'name' });
});

test.run();
