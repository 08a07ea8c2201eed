/**
 * The headline metrics of a record, recomputable on a bootstrap resample given as
 * multiplicities (bootstrap.ts), with the definitions of classification.ts and
 * multilabel.ts: a resample is scored as the test set made of `counts[i]` copies of
 * each image i would be, and the all-ones resample gives the reported values bit for
 * bit (same counts, same divisions, same numpy/torch means).
 *
 * Count-type metrics only need, per resample, how many copies of each kind of image
 * were drawn, so the images are grouped once into patterns (single-label: target
 * class, top-1 hit, top-5 hit; multi-label: which classes of a byte of 8 the
 * prediction gets right) and a resample adds its counts per pattern: one pass over
 * the images, then work proportional to the number of patterns. AP@100 is
 * bootstrap-retrieval.ts's.
 */
import { argmaxRows, checkSingleLabelInput, ratio, targetInTopK } from './classification.ts';
import { checkMultiLabelInput, multiLabelPredictions } from './multilabel.ts';
import { numpyMean } from './reductions.ts';
import type { ResampledStatistic } from './bootstrap.ts';
import { ResampledAveragePrecision } from './bootstrap-retrieval.ts';

/**
 * Sums counts per pattern: weights[p] = sum of counts[i] over the images i of pattern p
 * (`weights` is overwritten; `scratch` holds 4 * weights.length). Four interleaved
 * tables, added up at the end, so that consecutive images of the same pattern (most
 * of them, often) do not wait on each other's store: about twice as fast.
 */
function patternWeights(ofImage: Uint8Array | Int32Array, counts: Int32Array, weights: Int32Array, scratch: Int32Array): void {
  const size = weights.length;
  scratch.fill(0);
  const n = ofImage.length;
  let image = 0;
  for (; image + 3 < n; image += 4) {
    scratch[ofImage[image]] += counts[image];
    scratch[size + ofImage[image + 1]] += counts[image + 1];
    scratch[2 * size + ofImage[image + 2]] += counts[image + 2];
    scratch[3 * size + ofImage[image + 3]] += counts[image + 3];
  }
  for (; image < n; image++) scratch[ofImage[image]] += counts[image];
  for (let pattern = 0; pattern < size; pattern++) {
    weights[pattern] = scratch[pattern] + scratch[size + pattern] + scratch[2 * size + pattern] + scratch[3 * size + pattern];
  }
}

export interface StatisticOptions {
  /** Also AP@100 (mAP, mAP_tm19 / Ave_mAP, Ave_mAP_tm19); default true. Without it only the count-type metrics. */
  retrieval?: boolean;
}

/**
 * Single-label: acc1, acc5 (only with >= 5 classes, as the record has it null
 * otherwise; NaN here), mean_per_class_recall, mAP, mAP_tm19.
 */
export function singleLabelStatistic(logits: Float32Array, n: number, k: number, targets: Int32Array, options: StatisticOptions = {}): ResampledStatistic {
  checkSingleLabelInput(logits, n, k, targets, 'singleLabelStatistic');
  const hasTop5 = k >= 5;
  const withRetrieval = options.retrieval ?? true;
  const keys = ['acc1', 'acc5', 'mean_per_class_recall', ...(withRetrieval ? ['mAP', 'mAP_tm19'] : [])];
  // Pattern = target * 8 + top-1 hit * 4 + top-5 hit * 2 + argmax hit. classification.ts
  // takes acc1 from topKIndices and the recalls from argmaxRows; both are kept apart
  // here too, though they agree (both break ties towards the lower index).
  const predictions = argmaxRows(logits, n, k);
  const ofImage = new Int32Array(n);
  for (let image = 0; image < n; image++) {
    const top1 = targetInTopK(logits, k, targets, image, 1) ? 4 : 0;
    const top5 = hasTop5 && targetInTopK(logits, k, targets, image, 5) ? 2 : 0;
    const argmaxHit = predictions[image] === targets[image] ? 1 : 0;
    ofImage[image] = targets[image] * 8 + top1 + top5 + argmaxHit;
  }
  const weights = new Int32Array(8 * k);
  const scratch = new Int32Array(4 * weights.length);
  const retrieval = withRetrieval ? new ResampledAveragePrecision(logits, n, k, (image, classIndex) => targets[image] === classIndex) : null;
  const ap = new Float64Array(k);
  const apTm19 = new Float64Array(k);
  const actual = new Float64Array(k);
  const truePositives = new Float64Array(k);
  return {
    n,
    keys,
    evaluate(counts: Int32Array, out: Float64Array): void {
      patternWeights(ofImage, counts, weights, scratch);
      let top1 = 0;
      let top5 = 0;
      actual.fill(0);
      truePositives.fill(0);
      for (let pattern = 0; pattern < weights.length; pattern++) {
        const weight = weights[pattern];
        if (weight === 0) continue;
        const target = pattern >> 3;
        if (pattern & 4) top1 += weight;
        if (pattern & 2) top5 += weight;
        actual[target] += weight;
        if (pattern & 1) truePositives[target] += weight;
      }
      // sklearn's balanced accuracy: the mean recall over the classes that occur.
      const recalls: number[] = [];
      for (let classIndex = 0; classIndex < k; classIndex++) {
        if (actual[classIndex] > 0) recalls.push(ratio(truePositives[classIndex], actual[classIndex]));
      }
      out[0] = top1 / n;
      out[1] = hasTop5 ? top5 / n : Number.NaN;
      out[2] = numpyMean(recalls);
      if (retrieval) {
        retrieval.evaluate(counts, ap, apTm19);
        out[3] = numpyMean(Array.from(ap));
        out[4] = numpyMean(Array.from(apTm19));
      }
    },
  };
}

/** Multi-label: Average_class_accuracy, Ave_mAP, Ave_mAP_tm19. */
export function multiLabelStatistic(logits: Float32Array, n: number, k: number, targets: Uint8Array, options: StatisticOptions = {}): ResampledStatistic {
  checkMultiLabelInput(logits, n, k, targets, 'multiLabelStatistic');
  const withRetrieval = options.retrieval ?? true;
  const predictions = multiLabelPredictions(logits, n, k);
  // A class's accuracy counts the images where prediction and target agree. Whole
  // agreement rows can be as many as the images, so the classes are cut into bytes of
  // 8: per byte, an image's pattern is which of those 8 classes it gets right (256
  // patterns), and a resample costs ceil(k / 8) additions per image.
  const bytes = Math.ceil(k / 8);
  // Byte-major (all images' byte 0, then byte 1, ...), so a resample reads it in order.
  const ofImage = new Uint8Array(bytes * n);
  const scratch = new Int32Array(4 * 256);
  for (let image = 0; image < n; image++) {
    for (let classIndex = 0; classIndex < k; classIndex++) {
      if (predictions[image * k + classIndex] === targets[image * k + classIndex]) ofImage[(classIndex >> 3) * n + image] |= 1 << (classIndex & 7);
    }
  }
  const weights = new Int32Array(bytes * 256);
  const retrieval = withRetrieval ? new ResampledAveragePrecision(logits, n, k, (image, classIndex) => targets[image * k + classIndex] === 1) : null;
  const ap = new Float64Array(k);
  const apTm19 = new Float64Array(k);
  const agreeing = new Float64Array(k);
  return {
    n,
    keys: ['Average_class_accuracy', ...(withRetrieval ? ['Ave_mAP', 'Ave_mAP_tm19'] : [])],
    evaluate(counts: Int32Array, out: Float64Array): void {
      for (let byte = 0; byte < bytes; byte++) {
        patternWeights(ofImage.subarray(byte * n, (byte + 1) * n), counts, weights.subarray(byte * 256, (byte + 1) * 256), scratch);
      }
      agreeing.fill(0);
      for (let byte = 0; byte < bytes; byte++) {
        for (let pattern = 1; pattern < 256; pattern++) {
          const weight = weights[byte * 256 + pattern];
          if (weight === 0) continue;
          for (let bit = 0; bit < 8; bit++) if (pattern & (1 << bit)) agreeing[byte * 8 + bit] += weight;
        }
      }
      out[0] = numpyMean(Array.from(agreeing, (value) => value / n));
      if (retrieval) {
        retrieval.evaluate(counts, ap, apTm19);
        out[1] = numpyMean(Array.from(ap));
        out[2] = numpyMean(Array.from(apTm19));
      }
    },
  };
}

/** The statistic of a record's task from its logits and targets. */
export function recordStatistic(task: 'single-label' | 'multi-label', logits: Float32Array, n: number, k: number, targets: Int32Array | Uint8Array, options: StatisticOptions = {}): ResampledStatistic {
  if (task === 'single-label') {
    if (!(targets instanceof Int32Array)) throw new RangeError('recordStatistic: single-label targets must be an Int32Array of class indices');
    return singleLabelStatistic(logits, n, k, targets, options);
  }
  if (!(targets instanceof Uint8Array)) throw new RangeError('recordStatistic: multi-label targets must be a Uint8Array [n, k] of 0 and 1');
  return multiLabelStatistic(logits, n, k, targets, options);
}
