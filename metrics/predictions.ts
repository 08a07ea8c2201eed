/**
 * Metrics of a fitted classifier's predictions (the few-shot probes), as scikit-learn
 * computes them, so that our parity script's numbers are reproduced:
 *
 * - single-label, from hard predictions: `acc1` (`accuracy_score`),
 *   `mean_per_class_recall` (`balanced_accuracy_score`: the mean recall over the classes
 *   present in the targets) and `macro_f1` (`f1_score(average="macro")`: the mean F1
 *   over the classes present in the targets or the predictions, 0 for 0/0);
 * - multi-label, from 0/1 predictions and per-class scores: `macro_mAP`, the mean of
 *   `average_precision_score` over the classes with at least one positive image (the
 *   others are left out and listed: their AP is undefined), and `micro_f1`
 *   (`f1_score(average="micro")`: F1 of all (image, class) decisions pooled).
 *
 * Not the zero-shot metrics: `mAP` there is the reference's AP@100 over all images; here
 * AP ranks every test image (sklearn's step-wise AP, equal scores taken together).
 */
import { precisionRecallF1, ratio } from './classification.ts';
import { numpyMean } from './reductions.ts';

export interface SingleLabelPredictionMetrics {
  acc1: number;
  mean_per_class_recall: number;
  macro_f1: number;
}

export function singleLabelPredictionMetrics(predictions: Int32Array, targets: Int32Array, classCount: number): SingleLabelPredictionMetrics {
  const n = targets.length;
  if (predictions.length !== n) throw new RangeError(`singleLabelPredictionMetrics: ${predictions.length} predictions for ${n} targets`);
  if (n === 0) throw new RangeError('singleLabelPredictionMetrics: no images');
  const truePositives = new Int32Array(classCount);
  const actual = new Int32Array(classCount);
  const predicted = new Int32Array(classCount);
  let correct = 0;
  for (let image = 0; image < n; image++) {
    const target = targets[image];
    const prediction = predictions[image];
    if (target < 0 || target >= classCount || prediction < 0 || prediction >= classCount) {
      throw new RangeError(`singleLabelPredictionMetrics: image ${image} has target ${target}, prediction ${prediction}, outside 0..${classCount - 1}`);
    }
    actual[target]++;
    predicted[prediction]++;
    if (target === prediction) {
      truePositives[target]++;
      correct++;
    }
  }
  const recalls: number[] = [];
  const f1s: number[] = [];
  for (let c = 0; c < classCount; c++) {
    const scores = precisionRecallF1({ truePositives: truePositives[c], predicted: predicted[c], actual: actual[c] });
    if (actual[c] > 0) recalls.push(scores.recall);
    if (actual[c] > 0 || predicted[c] > 0) f1s.push(scores.f1);
  }
  return { acc1: correct / n, mean_per_class_recall: numpyMean(recalls), macro_f1: numpyMean(f1s) };
}

/**
 * sklearn's `average_precision_score` of one class: images ranked by score, descending;
 * at every distinct score the precision of all images scored at least that high, weighted
 * by the recall it adds. Undefined (NaN) when no image is relevant.
 */
export function averagePrecision(scores: ArrayLike<number>, relevant: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, index) => index).sort((a, b) => scores[b] - scores[a] || a - b);
  let positives = 0;
  for (let index = 0; index < n; index++) positives += relevant[index] ? 1 : 0;
  if (positives === 0) return NaN;
  let truePositives = 0;
  let seen = 0;
  let previousRecall = 0;
  let sum = 0;
  for (let rank = 0; rank < n; rank++) {
    const image = order[rank];
    seen++;
    if (relevant[image]) truePositives++;
    const lastOfTies = rank === n - 1 || scores[order[rank + 1]] !== scores[image];
    if (!lastOfTies) continue;
    const recall = truePositives / positives;
    sum += (recall - previousRecall) * (truePositives / seen);
    previousRecall = recall;
  }
  return sum;
}

export interface MultiLabelPredictionMetrics {
  /** null when no class has a positive image. */
  macro_mAP: number | null;
  micro_f1: number;
  /** Classes left out of macro_mAP: no positive image among the targets. */
  excludedClasses: number[];
  /** Per-class AP (NaN for the excluded classes). */
  averagePrecisions: number[];
}

/** `predictions`, `scores`, `targets`: row-major [n, classCount]. */
export function multiLabelPredictionMetrics(predictions: Uint8Array, scores: Float64Array, targets: Uint8Array, n: number, classCount: number): MultiLabelPredictionMetrics {
  const size = n * classCount;
  if (predictions.length !== size || scores.length !== size || targets.length !== size) {
    throw new RangeError(`multiLabelPredictionMetrics: expected ${n} x ${classCount} predictions, scores and targets`);
  }
  let truePositives = 0;
  let predictedPositives = 0;
  let actualPositives = 0;
  for (let index = 0; index < size; index++) {
    predictedPositives += predictions[index];
    actualPositives += targets[index];
    if (predictions[index] === 1 && targets[index] === 1) truePositives++;
  }
  const averagePrecisions: number[] = [];
  const excludedClasses: number[] = [];
  const columnScores = new Float64Array(n);
  const columnTargets = new Uint8Array(n);
  for (let c = 0; c < classCount; c++) {
    for (let image = 0; image < n; image++) {
      columnScores[image] = scores[image * classCount + c];
      columnTargets[image] = targets[image * classCount + c];
    }
    const ap = averagePrecision(columnScores, columnTargets);
    averagePrecisions.push(ap);
    if (Number.isNaN(ap)) excludedClasses.push(c);
  }
  const defined = averagePrecisions.filter((ap) => !Number.isNaN(ap));
  return {
    macro_mAP: defined.length === 0 ? null : numpyMean(defined),
    micro_f1: ratio(2 * truePositives, actualPositives + predictedPositives),
    excludedClasses,
    averagePrecisions,
  };
}
