import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planDraws, runCurve, runProbe, trainTestSplit } from '../../../tasks/few-shot/index.ts';
import { multiLabelData, singleLabelData } from './synthetic.ts';

const data = singleLabelData(240, 16, 4, 0.5, 31);

test('a second run gives identical curves (both probes, auto C included)', () => {
  const { train, test: testRows } = trainTestSplit(data.labels, 4, 'single-label');
  const curve = () => {
    const draws = planDraws({ labels: Array.from(train, (row) => data.labels[row]), classCount: 4, labelKind: 'single-label', budgets: [1, 3, 'all'], budgetKind: 'per-class', seeds: 2 });
    const curveDraws = draws.map((draw) => ({ trainRows: Array.from(draw.trainIndices, (index) => train[index]), seed: draw.seed }));
    return (['knn', 'logreg'] as const).flatMap((probe) => runCurve({
      embeddings: data.embeddings, dimension: 16, labels: data.labels, classes: data.classes, labelKind: 'single-label',
      testRows, draws: curveDraws, probe, C: 'auto',
    }).map((result) => ({ ...result, seconds: 0 })));
  };
  const first = curve();
  assert.equal(curve(), first);
  assert.equal(Object.keys(first[0].metrics), ['acc1', 'mean_per_class_recall', 'macro_f1']);
  const logreg = first.slice(5);
  assert.is(logreg[0].cSelection!.source, 'default', '1 image per class: nothing to choose C on');
  assert.match(logreg[0].notes[0], /C = 1: no val split/);
  assert.is(logreg[2].cSelection!.source, 'fold');
  assert.ok(first[4].metrics.acc1! > 0.5, 'the probes learn the clusters');
});

test('runProbe: separate train and test arrays, multi-label metrics and excluded classes', () => {
  const multi = multiLabelData(100, 12, 5, 0.3, 8);
  const split = (from: number, to: number) => ({
    embeddings: multi.embeddings.slice(from * 12, to * 12),
    labels: multi.labels.slice(from, to).map((labels) => labels.filter((c) => to <= 80 || c !== 4)),
  });
  const result = runProbe({ train: split(0, 80), test: split(80, 100), dimension: 12, probe: 'logreg', C: 1, labelKind: 'multi-label', classes: multi.classes });
  assert.equal(Object.keys(result.metrics), ['macro_mAP', 'micro_f1']);
  assert.equal(result.excludedClasses, ['label 4']);
  assert.is(result.predictions.length, 20 * 5);
});

test('bad input is refused with a message naming it', () => {
  const base = { embeddings: data.embeddings, dimension: 16, labels: data.labels, classes: data.classes, labelKind: 'single-label' as const, testRows: [1], probe: 'knn' as const, C: 1 };
  assert.throws(() => runCurve({ ...base, draws: [{ trainRows: [], seed: 0 }] }), /draw 0 has no training rows/);
  assert.throws(() => runCurve({ ...base, draws: [{ trainRows: [999], seed: 0 }] }), /draw 0 training row 999 outside/);
  assert.throws(() => runCurve({ ...base, dimension: 15, draws: [{ trainRows: [0], seed: 0 }] }), /embedding values/);
  const nan = Float32Array.from(data.embeddings);
  nan[20] = NaN;
  assert.throws(() => runCurve({ ...base, embeddings: nan, draws: [{ trainRows: [0], seed: 0 }] }), /row 1 has a non-finite value/);
  assert.throws(() => runCurve({ ...base, probe: 'logreg', C: -1, draws: [{ trainRows: [0], seed: 0 }] }), /C must be a positive number/);
});

test.run();
