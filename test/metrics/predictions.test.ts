import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { METRICS } from '../../metrics/index.ts';
import { averagePrecision, multiLabelPredictionMetrics, singleLabelPredictionMetrics } from '../../metrics/predictions.ts';

const close = (actual: number | null, expected: number): boolean => actual !== null && Math.abs(actual - expected) < 1e-15;

test('single-label: acc1, balanced accuracy over target classes, macro F1 over target or predicted classes', () => {
  const metrics = singleLabelPredictionMetrics(Int32Array.from([0, 1, 1, 1, 3]), Int32Array.from([0, 0, 1, 1, 2]), 5);
  assert.ok(close(metrics.acc1, 0.6));
  assert.ok(close(metrics.mean_per_class_recall, (0.5 + 1 + 0) / 3));
  // Classes 0..3 appear (4 never does): F1 2/3, 4/5, 0, 0.
  assert.ok(close(metrics.macro_f1, (2 / 3 + 4 / 5) / 4), `${metrics.macro_f1}`);
  assert.throws(() => singleLabelPredictionMetrics(Int32Array.from([5]), Int32Array.from([0]), 5), /outside 0..4/);
});

test('average precision: sklearn\'s step-wise sum, equal scores taken together', () => {
  assert.ok(close(averagePrecision([0.9, 0.8, 0.8, 0.1], [1, 0, 1, 0]), 0.5 * 1 + 0.5 * (2 / 3)));
  assert.ok(close(averagePrecision([0.1, 0.2, 0.3], [1, 1, 0]), 0.5 * 0.5 + 0.5 * (2 / 3)));
  assert.ok(close(averagePrecision([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 0]), 0.25), 'all tied: the positive rate');
  assert.ok(Number.isNaN(averagePrecision([0.2, 0.1], [0, 0])));
});

test('multi-label: macro mAP leaves out classes without positives and lists them; micro F1 pools decisions', () => {
  // 3 images x 3 classes; class 2 has no positive image.
  const targets = Uint8Array.from([1, 0, 0, 0, 1, 0, 1, 1, 0]);
  const predictions = Uint8Array.from([1, 1, 0, 0, 1, 0, 0, 0, 1]);
  const scores = Float64Array.from([0.9, 0.6, 0.1, 0.2, 0.8, 0.3, 0.4, 0.1, 0.7]);
  const metrics = multiLabelPredictionMetrics(predictions, scores, targets, 3, 3);
  assert.equal(metrics.excludedClasses, [2]);
  const ap0 = averagePrecision([0.9, 0.2, 0.4], [1, 0, 1]);
  const ap1 = averagePrecision([0.6, 0.8, 0.1], [0, 1, 1]);
  assert.ok(close(metrics.macro_mAP, (ap0 + ap1) / 2));
  // tp = 2, predicted = 4, actual = 4: F1 = 4 / 8.
  assert.ok(close(metrics.micro_f1, 0.5));
  assert.is(multiLabelPredictionMetrics(new Uint8Array(2), new Float64Array(2), new Uint8Array(2), 1, 2).macro_mAP, null);
});

test('every probe metric is defined in METRICS, higher is better', () => {
  for (const key of ['acc1', 'mean_per_class_recall', 'macro_f1', 'macro_mAP', 'micro_f1']) {
    assert.is(METRICS[key]?.key, key);
    assert.is(METRICS[key].higherIsBetter, true);
  }
});

test.run();
