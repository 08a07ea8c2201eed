/**
 * Single-label zero-shot classification metrics over row-major logits [n, k], as the
 * reference harness (`zeroshot_eval.py`, `evaluate()` with `one_class=True`) reports
 * them:
 *
 * 1. `acc1`, `acc5`: `accuracy()`, the share of images whose target is among the
 *    top-1 / top-5 logits (`torch.topk`). `acc5` is null when k < 5 (the reference
 *    writes NaN). The reference's `float()` of a one-element array fails under NumPy 2;
 *    the value it meant is computed here.
 * 2. `mean_per_class_recall`: sklearn `balanced_accuracy_score(target, argmax)`, the
 *    mean recall over the classes that occur in the targets (classes that are only
 *    predicted are dropped, as sklearn does).
 * 3. `mAP`, `mAP_tm19`: mean over all k classes of AP@100, query c ranking all images
 *    by logit c with relevance target == c (`map_per_class()`); a class with no image
 *    scores 0 (torchmetrics `empty_target_action="neg"`). See retrieval.ts.
 * 4. Per class: `accuracy` = correct argmax predictions / images of the class (the
 *    reference's `class_accuracies` in `run_classification()`), and precision, recall,
 *    F1 of the argmax predictions (sklearn `classification_report` /
 *    `precision_recall_fscore_support`).
 *
 * Means over classes are numpy's (`np.mean`, pairwise summation), as the reference
 * takes them, so they match to the last bit.
 *
 * Ties: argmax takes the lowest index among equal logits (as `torch.max`/`argmax`
 * document); top-k ranks equal logits lower index first (`torch.topk` leaves this
 * unspecified).
 *
 * Zero denominators: a ratio whose denominator is 0 is 0, which is sklearn's
 * `zero_division="warn"` value. The reference divides by zero in its per-class
 * accuracy (`ZeroDivisionError` when a class has no test image) and
 * `classification_report` refuses to run when a class is neither a target nor a
 * prediction; we report 0 for those classes instead.
 */
import { numpyMean } from './reductions.ts';
import { perClassAveragePrecision, RETRIEVAL_TOP_K, topKIndices } from './retrieval.ts';

export interface PerClass {
  accuracy: number;
  /** Paper-era AP@100 (torchmetrics <= 1.7.3). */
  ap: number;
  /** AP@100 as torchmetrics >= 1.7.4 computes it (scores <= 0 never relevant). */
  ap_tm19: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface MetricResult {
  metrics: Record<string, number | null>;
  /** One entry per class, in class order. */
  perClass: PerClass[];
}

/** Confusion counts of one class's binary prediction. */
export interface ClassCounts {
  truePositives: number;
  /** Images predicted as the class (true + false positives). */
  predicted: number;
  /** Images that have the class (true positives + false negatives). */
  actual: number;
}

/** 0 for 0/0, sklearn's `zero_division="warn"` value. */
export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/**
 * Precision, recall, F1 as sklearn's `precision_recall_fscore_support` computes them;
 * F1 = 2 tp / (actual + predicted), sklearn's own form, so the float result matches.
 */
export function precisionRecallF1(counts: ClassCounts): { precision: number; recall: number; f1: number } {
  return {
    precision: ratio(counts.truePositives, counts.predicted),
    recall: ratio(counts.truePositives, counts.actual),
    f1: ratio(2 * counts.truePositives, counts.actual + counts.predicted),
  };
}

/** Throws unless `logits` is an [n, k] matrix (n, k >= 1) without NaN. */
export function checkLogits(logits: Float32Array, n: number, k: number, caller: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${caller}: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`${caller}: k must be a positive integer, got ${k}`);
  if (logits.length !== n * k) {
    throw new RangeError(`${caller}: logits has ${logits.length} values, expected n * k = ${n} * ${k} = ${n * k}`);
  }
  for (let index = 0; index < logits.length; index++) {
    if (Number.isNaN(logits[index])) {
      throw new RangeError(`${caller}: logit [${Math.floor(index / k)}, ${index % k}] is NaN`);
    }
  }
}

/** Row-wise argmax; equal logits resolve to the lowest class index. */
export function argmaxRows(logits: Float32Array, n: number, k: number): Int32Array {
  const predictions = new Int32Array(n);
  for (let image = 0; image < n; image++) {
    const offset = image * k;
    let best = 0;
    for (let classIndex = 1; classIndex < k; classIndex++) {
      if (logits[offset + classIndex] > logits[offset + best]) best = classIndex;
    }
    predictions[image] = best;
  }
  return predictions;
}

/** Throws unless `logits` is [n, k] without NaN and every target is a class index. */
export function checkSingleLabelInput(logits: Float32Array, n: number, k: number, targets: Int32Array, caller: string): void {
  checkLogits(logits, n, k, caller);
  if (targets.length !== n) throw new RangeError(`${caller}: ${targets.length} targets for ${n} images`);
  for (let image = 0; image < n; image++) {
    const target = targets[image];
    if (target < 0 || target >= k) {
      throw new RangeError(`${caller}: target of image ${image} is ${target}, outside 0..${k - 1}`);
    }
  }
}

/** Whether image `image`'s target is among the top `topK` logits of its row. */
export function targetInTopK(logits: Float32Array, k: number, targets: Int32Array, image: number, topK: number): boolean {
  return topKIndices(logits.subarray(image * k, (image + 1) * k), topK).includes(targets[image]);
}

/** Share of images whose target is among the top `topK` logits of its row. */
function topKAccuracy(logits: Float32Array, n: number, k: number, targets: Int32Array, topK: number): number {
  let correct = 0;
  for (let image = 0; image < n; image++) {
    if (targetInTopK(logits, k, targets, image, topK)) correct++;
  }
  return correct / n;
}

export function singleLabelMetrics(logits: Float32Array, n: number, k: number, targets: Int32Array): MetricResult {
  checkSingleLabelInput(logits, n, k, targets, 'singleLabelMetrics');

  const predictions = argmaxRows(logits, n, k);
  const counts: ClassCounts[] = Array.from({ length: k }, () => ({ truePositives: 0, predicted: 0, actual: 0 }));
  for (let image = 0; image < n; image++) {
    counts[targets[image]].actual++;
    counts[predictions[image]].predicted++;
    if (predictions[image] === targets[image]) counts[targets[image]].truePositives++;
  }

  const averagePrecisions = perClassAveragePrecision(
    logits, n, k, (image, classIndex) => targets[image] === classIndex, RETRIEVAL_TOP_K,
  );
  const perClass: PerClass[] = counts.map((classCounts, classIndex) => ({
    // The reference's class_accuracies: correct / total per target class, i.e. recall.
    accuracy: ratio(classCounts.truePositives, classCounts.actual),
    ...averagePrecisions[classIndex],
    ...precisionRecallF1(classCounts),
  }));

  const recallsOfPresentClasses = perClass.filter((_, classIndex) => counts[classIndex].actual > 0).map((entry) => entry.recall);
  return {
    metrics: {
      acc1: topKAccuracy(logits, n, k, targets, 1),
      acc5: k >= 5 ? topKAccuracy(logits, n, k, targets, 5) : null,
      mean_per_class_recall: numpyMean(recallsOfPresentClasses),
      mAP: numpyMean(perClass.map((entry) => entry.ap)),
      mAP_tm19: numpyMean(perClass.map((entry) => entry.ap_tm19)),
    },
    perClass,
  };
}
