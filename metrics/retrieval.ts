/**
 * Retrieval metrics: one query per class, every test image ranked by that class's
 * logit, average precision over the top k (k = 100 in the reference harness).
 *
 * Two variants of AP@k, because torchmetrics changed `retrieval_average_precision`
 * under the reference's feet (Lightning-AI/torchmetrics#3160, released in 1.7.4 on
 * 2025-07-03 and kept in 1.8.x/1.9.x):
 *
 * - paper era (torchmetrics <= 1.7.3, the `RetrievalMAP(top_k=100)` the paper ran):
 *       target = target[preds.topk(min(top_k, n), sorted=True)[1]]
 *       if not target.sum(): return 0
 *       positions = arange(1, len(target) + 1)[target > 0]
 *       return ((arange(len(positions)) + 1) / positions).mean()
 *   i.e. the mean, over the relevant items inside the top k, of (relevant seen so far /
 *   rank). The denominator is the number of relevant items retrieved, not
 *   min(k, number relevant); 0 when none is retrieved.
 * - torchmetrics >= 1.7.4 first does `target = where(preds > 0, target, 0)`: an item
 *   scored <= 0 never counts as relevant (`ignoreNonPositive`).
 *
 * Arithmetic as torchmetrics': each (hits so far / rank) is a float32 division and
 * their mean is torch's float32 mean (`torchMeanFloat32`, which follows torch's
 * summation order), so an AP here is the very float32 the reference reports, bit for
 * bit, given the same ranking.
 *
 * Ties: `torch.topk` leaves the order of equal scores unspecified, and AP depends on
 * it. We break ties deterministically: higher score first, then lower index first.
 */

import { torchMeanFloat32 } from './reductions.ts';

export type Scores = ArrayLike<number>;
export type Relevance = ArrayLike<number | boolean>;

export interface AveragePrecisionOptions {
  /** torchmetrics >= 1.7.4 behaviour: items scored <= 0 are never relevant. */
  ignoreNonPositive?: boolean;
}

/** The cut-off the reference harness uses for every retrieval number. */
export const RETRIEVAL_TOP_K = 100;

/** True when item `a` ranks before item `b`: higher score, then lower index. */
function ranksBefore(scores: Scores, a: number, b: number): boolean {
  const scoreA = scores[a];
  const scoreB = scores[b];
  return scoreA > scoreB || (scoreA === scoreB && a < b);
}

/**
 * Indices of the `k` highest scores, best first; equal scores keep the lower index
 * first, so the result is fully determined by the input. NaN scores are rejected
 * because they have no place in an order.
 */
export function topKIndices(scores: Scores, k: number): Int32Array {
  const count = scores.length;
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`topKIndices: k must be a non-negative integer, got ${k}`);
  for (let index = 0; index < count; index++) {
    if (Number.isNaN(scores[index])) throw new RangeError(`topKIndices: score ${index} is NaN`);
  }
  const size = Math.min(k, count);
  if (size === 0) return new Int32Array(0);
  if (size * 4 >= count) {
    // Most of the items are wanted: a full sort is simplest and fast enough.
    const order = Array.from({ length: count }, (_, index) => index);
    order.sort((a, b) => (ranksBefore(scores, a, b) ? -1 : ranksBefore(scores, b, a) ? 1 : 0));
    return Int32Array.from(order.slice(0, size));
  }
  // A few of many (100 of 100k images): keep a sorted buffer of the best `size` seen.
  // Items arrive in index order, so an item that only ties the worst kept one loses.
  const best = new Int32Array(size);
  let filled = 0;
  for (let index = 0; index < count; index++) {
    if (filled === size && !ranksBefore(scores, index, best[size - 1])) continue;
    let low = 0;
    let high = filled;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (ranksBefore(scores, best[middle], index)) low = middle + 1;
      else high = middle;
    }
    const end = filled === size ? size - 1 : filled;
    best.copyWithin(low + 1, low, end);
    best[low] = index;
    if (filled < size) filled++;
  }
  return best;
}

/** AP over a ranking already computed by `topKIndices` (shared by both variants). */
export function averagePrecisionOfRanking(
  ranking: ArrayLike<number>,
  scores: Scores,
  relevant: Relevance,
  options: AveragePrecisionOptions = {},
): number {
  const precisions: number[] = [];
  for (let rank = 1; rank <= ranking.length; rank++) {
    const item = ranking[rank - 1];
    if (!relevant[item]) continue;
    if (options.ignoreNonPositive === true && !(scores[item] > 0)) continue;
    // A float32 division: rounding the float64 quotient to float32 gives the same bits.
    precisions.push(Math.fround((precisions.length + 1) / rank));
  }
  return precisions.length === 0 ? 0 : torchMeanFloat32(precisions);
}

/**
 * AP@k of one query, as torchmetrics' `RetrievalMAP(top_k=k)` computes it for a single
 * query (see the module comment for the two variants). A query with no relevant item
 * scores 0 (torchmetrics' default `empty_target_action="neg"`).
 */
export function averagePrecisionAtK(
  scores: Scores,
  relevant: Relevance,
  k: number,
  options: AveragePrecisionOptions = {},
): number {
  if (scores.length !== relevant.length) {
    throw new RangeError(`averagePrecisionAtK: ${scores.length} scores but ${relevant.length} relevance flags`);
  }
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`averagePrecisionAtK: k must be a positive integer, got ${k}`);
  return averagePrecisionOfRanking(topKIndices(scores, k), scores, relevant, options);
}

export interface ClassAveragePrecision {
  /** Paper-era AP@k (torchmetrics <= 1.7.3). */
  ap: number;
  /** torchmetrics >= 1.7.4 AP@k (scores <= 0 never relevant). */
  ap_tm19: number;
}

/**
 * Per-class AP@k over row-major logits [n, k]: query c ranks all n images by column c,
 * relevance is `isRelevant(image, c)`. The ranking is computed once and scored twice.
 */
export function perClassAveragePrecision(
  logits: Float32Array,
  n: number,
  classCount: number,
  isRelevant: (image: number, classIndex: number) => boolean,
  topK: number = RETRIEVAL_TOP_K,
): ClassAveragePrecision[] {
  const column = new Float32Array(n);
  const relevant = new Uint8Array(n);
  const result: ClassAveragePrecision[] = [];
  for (let classIndex = 0; classIndex < classCount; classIndex++) {
    for (let image = 0; image < n; image++) {
      column[image] = logits[image * classCount + classIndex];
      relevant[image] = isRelevant(image, classIndex) ? 1 : 0;
    }
    const ranking = topKIndices(column, topK);
    result.push({
      ap: averagePrecisionOfRanking(ranking, column, relevant),
      ap_tm19: averagePrecisionOfRanking(ranking, column, relevant, { ignoreNonPositive: true }),
    });
  }
  return result;
}
