/**
 * Multi-label zero-shot metrics (BigEarthNet) over row-major logits [n, k] and
 * multi-hot targets [n, k], as the reference harness reports them (`evaluate()` with
 * a two-dimensional target and `other_features=False`):
 *
 * 1. Prediction: class c is predicted for an image when its logit is strictly greater
 *    than the mean of that image's other k - 1 logits (`multilabel_accuracy()` and
 *    `classwise_f1_scores()`). That mean is taken as the reference's torch code takes it:
 *    a float32 sum in torch's order (`torchSumFloat32`) divided by k - 1 in float32,
 *    so a logit within float32 rounding of the mean is decided as the reference
 *    decides it.
 * 2. Per class: `accuracy` = share of images where the binary prediction equals the
 *    target (true negatives count), `Average_class_accuracy` = mean over classes.
 * 3. Per class precision, recall, F1 of that binary prediction (sklearn
 *    `classification_report` on the multi-hot matrices; 0 for 0/0).
 * 4. `Ave_mAP`, `Ave_mAP_tm19`: mean over classes of AP@100, query c ranking all images
 *    by logit c with the target column c as relevance (`map_per_class_ml()`); a class
 *    no image has scores 0. An image with no label (an all-zero row) is still scored.
 *
 * The reference never reaches this path for BigEarthNet (its multi-label check compares
 * against names the datasets do not have); this is what the path computes when reached.
 */
import {
  checkLogits, type ClassCounts, type MetricResult, type PerClass, precisionRecallF1,
} from './classification.ts';
import { numpyMean, torchSumFloat32 } from './reductions.ts';
import { perClassAveragePrecision, RETRIEVAL_TOP_K } from './retrieval.ts';

/**
 * Binary predictions [n, k]: 1 where a logit exceeds the mean of the other logits of
 * its row, that mean in float32 as torch computes it for the reference
 * (`scores[mask].reshape(n, -1).mean(dim=1)`: the k - 1 other logits of a row, in
 * order, summed by torch's float32 reduction, divided by k - 1).
 */
export function multiLabelPredictions(logits: Float32Array, n: number, k: number): Uint8Array {
  checkLogits(logits, n, k, 'multiLabelPredictions');
  if (k < 2) throw new RangeError(`multiLabelPredictions: needs at least 2 classes, got ${k}`);
  const predictions = new Uint8Array(n * k);
  const others = new Float32Array(k - 1);
  for (let image = 0; image < n; image++) {
    const offset = image * k;
    for (let classIndex = 0; classIndex < k; classIndex++) {
      others.set(logits.subarray(offset, offset + classIndex), 0);
      others.set(logits.subarray(offset + classIndex + 1, offset + k), classIndex);
      const othersMean = Math.fround(torchSumFloat32(others) / (k - 1));
      predictions[offset + classIndex] = logits[offset + classIndex] > othersMean ? 1 : 0;
    }
  }
  return predictions;
}

/** Throws unless `logits` is [n, k] without NaN and `targets` an [n, k] matrix of 0 and 1. */
export function checkMultiLabelInput(logits: Float32Array, n: number, k: number, targets: Uint8Array, caller: string): void {
  checkLogits(logits, n, k, caller);
  if (targets.length !== n * k) {
    throw new RangeError(`${caller}: targets has ${targets.length} values, expected n * k = ${n * k}`);
  }
  for (let index = 0; index < targets.length; index++) {
    if (targets[index] > 1) {
      throw new RangeError(`${caller}: target [${Math.floor(index / k)}, ${index % k}] is ${targets[index]}, not 0 or 1`);
    }
  }
}

export function multiLabelMetrics(logits: Float32Array, n: number, k: number, targets: Uint8Array): MetricResult {
  checkMultiLabelInput(logits, n, k, targets, 'multiLabelMetrics');

  const predictions = multiLabelPredictions(logits, n, k);
  const averagePrecisions = perClassAveragePrecision(
    logits, n, k, (image, classIndex) => targets[image * k + classIndex] === 1, RETRIEVAL_TOP_K,
  );
  const perClass: PerClass[] = [];
  for (let classIndex = 0; classIndex < k; classIndex++) {
    const counts: ClassCounts = { truePositives: 0, predicted: 0, actual: 0 };
    let agreeing = 0;
    for (let image = 0; image < n; image++) {
      const predicted = predictions[image * k + classIndex];
      const actual = targets[image * k + classIndex];
      counts.predicted += predicted;
      counts.actual += actual;
      if (predicted === 1 && actual === 1) counts.truePositives++;
      if (predicted === actual) agreeing++;
    }
    perClass.push({ accuracy: agreeing / n, ...averagePrecisions[classIndex], ...precisionRecallF1(counts) });
  }

  return {
    metrics: {
      Average_class_accuracy: numpyMean(perClass.map((entry) => entry.accuracy)),
      Ave_mAP: numpyMean(perClass.map((entry) => entry.ap)),
      Ave_mAP_tm19: numpyMean(perClass.map((entry) => entry.ap_tm19)),
    },
    perClass,
  };
}
