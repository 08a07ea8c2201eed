/**
 * Bootstrap confidence intervals and paired comparisons of the headline metrics.
 * Pure functions over typed arrays; the metrics themselves come from
 * bootstrap-statistics.ts, which scores a resample with the definitions of
 * classification.ts, multilabel.ts and retrieval.ts.
 *
 * 1. A resample draws n images with replacement from the n test images. It is held as
 *    multiplicities, `counts[i]` = copies of image i (they sum to n), never as copied
 *    rows. The draws come from random.ts's xoshiro128** seeded with (seed, stream),
 *    n uniform indices per resample, resamples one after another: the same seed,
 *    stream and n give the same resamples on every machine.
 * 2. Percentile interval at level L: the (1 - L)/2 and 1 - (1 - L)/2 quantiles of the
 *    resampled values, each taken as numpy's default (`method="linear"`) percentile,
 *    as `scipy.stats.bootstrap(method="percentile")` takes them.
 * 3. Paired comparison of two models scored on the same images (same ids in the same
 *    order): both are evaluated on the SAME resamples, d* = A* - B* per resample. The
 *    difference's interval is the percentile interval of d*. The two-sided p-value is
 *        p = min(1, 2 * min(1 + #{d* <= 0}, 1 + #{d* >= 0}) / (B + 1)),
 *    twice the smaller bootstrap tail beyond zero (the smallest alpha at which the
 *    (1 - alpha) percentile interval would exclude 0), with the usual +1 in numerator
 *    and denominator (Davison and Hinkley 1997, eq. 4.11) so that p is never 0 from
 *    finitely many resamples. A model against itself has d* = 0 everywhere: the
 *    difference is exactly 0 and p = 1.
 * 4. Several comparisons at once (every model against the best on one axis): Holm's
 *    step-down adjustment of their p-values.
 * 5. Stratified bootstrap of a mean over benchmarks: each benchmark is resampled on its
 *    own stream, independently of the others, and the mean is taken per resample.
 */
import { checkSeed, Xoshiro128 } from './random.ts';

export type Interval = [number, number];

/** What a record's `ci_method` says (RECORDS.md). */
export interface IntervalMethod {
  level: number;
  resamples: number;
  seed: number;
  kind: 'percentile';
}

export interface BootstrapOptions {
  /** Number of resamples B (>= 1). */
  resamples: number;
  /** Seed of the generator, an integer in [0, 2^32). */
  seed: number;
  /** Which independent sequence of that seed (random.ts streamOf(name)); default 0. */
  stream?: number;
  /** Interval level; default 0.95. */
  level?: number;
}

export const DEFAULT_LEVEL = 0.95;

/** Metrics that can be recomputed on a resample given as multiplicities. */
export interface ResampledStatistic {
  /** Number of test images; a resample's counts has this length and sums to it. */
  readonly n: number;
  /** Metric keys, in the order `evaluate` writes them. */
  readonly keys: readonly string[];
  /** Writes keys[j]'s value on the resample into out[j]; NaN where the metric has none (acc5 with < 5 classes). */
  evaluate(counts: Int32Array, out: Float64Array): void;
}

function checkOptions(options: BootstrapOptions, caller: string): void {
  if (!Number.isInteger(options.resamples) || options.resamples < 1) {
    throw new RangeError(`${caller}: resamples must be a positive integer, got ${options.resamples}`);
  }
  checkSeed(options.seed, caller);
  const level = options.level ?? DEFAULT_LEVEL;
  if (!(level > 0 && level < 1)) throw new RangeError(`${caller}: level must be between 0 and 1, got ${level}`);
}

/** One resample: n uniform draws from [0, n), as multiplicities (counts is overwritten). */
export function resampleCounts(random: Xoshiro128, counts: Int32Array): void {
  const n = counts.length;
  counts.fill(0);
  random.addDraws(counts, n);
}

/** The metrics on the test set itself (every image once). */
export function observedValues(statistic: ResampledStatistic): Float64Array {
  const out = new Float64Array(statistic.keys.length);
  statistic.evaluate(new Int32Array(statistic.n).fill(1), out);
  return out;
}

/**
 * Every statistic evaluated on the same B resamples (they must share n): result
 * [statistic][key] is a Float64Array of B values, resample b at index b.
 */
export function bootstrapDistributions(statistics: readonly ResampledStatistic[], options: BootstrapOptions): Float64Array[][] {
  checkOptions(options, 'bootstrapDistributions');
  if (statistics.length === 0) return [];
  const n = statistics[0].n;
  for (const statistic of statistics) {
    if (statistic.n !== n) throw new RangeError(`bootstrapDistributions: paired statistics need the same images, got n = ${n} and ${statistic.n}`);
  }
  const random = new Xoshiro128(options.seed, options.stream ?? 0);
  const counts = new Int32Array(n);
  const distributions = statistics.map((statistic) => statistic.keys.map(() => new Float64Array(options.resamples)));
  const outs = statistics.map((statistic) => new Float64Array(statistic.keys.length));
  for (let resample = 0; resample < options.resamples; resample++) {
    resampleCounts(random, counts);
    statistics.forEach((statistic, index) => {
      statistic.evaluate(counts, outs[index]);
      outs[index].forEach((value, key) => {
        distributions[index][key][resample] = value;
      });
    });
  }
  return distributions;
}

/**
 * numpy's default percentile (`np.percentile(values, q)`, method "linear"), q in
 * [0, 100]: virtual index h = (N - 1) * (q / 100), then numpy's own interpolation
 * between the neighbours (its `_lerp`, which subtracts from the upper neighbour when
 * the fraction is >= 0.5), so the result is numpy's to the last bit. NaN if any value is.
 */
export function numpyPercentile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 100)) throw new RangeError(`numpyPercentile: q must be in [0, 100], got ${q}`);
  if (values.length === 0) throw new RangeError('numpyPercentile: no values');
  const sorted = Float64Array.from(values);
  if (sorted.some(Number.isNaN)) return Number.NaN;
  sorted.sort();
  const virtualIndex = (sorted.length - 1) * (q / 100);
  if (virtualIndex >= sorted.length - 1) return sorted[sorted.length - 1];
  const below = Math.floor(virtualIndex);
  const fraction = virtualIndex - below;
  const a = sorted[below];
  const b = sorted[below + 1];
  const difference = b - a;
  return fraction >= 0.5 ? b - difference * (1 - fraction) : a + difference * fraction;
}

/** The percentiles (in %) of the two ends of a two-sided interval at `level`. */
export function intervalPercentiles(level: number): [number, number] {
  const alpha = (1 - level) / 2;
  return [100 * alpha, 100 * (1 - alpha)];
}

/** Percentile interval of a bootstrap distribution; null when it holds NaN. */
export function percentileInterval(distribution: ArrayLike<number>, level = DEFAULT_LEVEL): Interval | null {
  const [low, high] = intervalPercentiles(level);
  const interval: Interval = [numpyPercentile(distribution, low), numpyPercentile(distribution, high)];
  return interval.some(Number.isNaN) ? null : interval;
}

/** A record's `ci` and `ci_method`: one percentile interval per metric key (null where the metric is). */
export function bootstrapIntervals(statistic: ResampledStatistic, options: BootstrapOptions): { ci: Record<string, Interval | null>; method: IntervalMethod } {
  const level = options.level ?? DEFAULT_LEVEL;
  const [distributions] = bootstrapDistributions([statistic], options);
  const ci: Record<string, Interval | null> = {};
  statistic.keys.forEach((key, index) => {
    ci[key] = percentileInterval(distributions[index], level);
  });
  return { ci, method: { level, resamples: options.resamples, seed: options.seed, kind: 'percentile' } };
}

export interface PairedComparison {
  /** A - B on the test set itself. */
  difference: number;
  /** Percentile interval of A* - B*. */
  interval: Interval;
  /** Two-sided paired-bootstrap p-value (module comment, step 3). */
  pValue: number;
}

/**
 * A - B from the two models' distributions on the same resamples, and their values on
 * the test set; null when either holds NaN.
 */
export function comparePaired(a: ArrayLike<number>, b: ArrayLike<number>, observedA: number, observedB: number, level = DEFAULT_LEVEL): PairedComparison | null {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`comparePaired: distributions of ${a.length} and ${b.length} resamples`);
  const differences = new Float64Array(a.length);
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (let resample = 0; resample < a.length; resample++) {
    const difference = a[resample] - b[resample];
    if (Number.isNaN(difference)) return null;
    differences[resample] = difference;
    if (difference <= 0) atOrBelow++;
    if (difference >= 0) atOrAbove++;
  }
  const interval = percentileInterval(differences, level);
  const difference = observedA - observedB;
  if (!interval || Number.isNaN(difference)) return null;
  const pValue = Math.min(1, (2 * (1 + Math.min(atOrBelow, atOrAbove))) / (a.length + 1));
  return { difference, interval, pValue };
}

/**
 * Two models on the same images (the caller checks the ids), every common metric,
 * on the same resamples.
 */
export function pairedBootstrap(a: ResampledStatistic, b: ResampledStatistic, options: BootstrapOptions): Record<string, PairedComparison | null> {
  const [distributionsA, distributionsB] = bootstrapDistributions([a, b], options);
  const observedA = observedValues(a);
  const observedB = observedValues(b);
  const result: Record<string, PairedComparison | null> = {};
  a.keys.forEach((key, indexA) => {
    const indexB = b.keys.indexOf(key);
    if (indexB < 0) return;
    result[key] = comparePaired(distributionsA[indexA], distributionsB[indexB], observedA[indexA], observedB[indexB], options.level);
  });
  return result;
}

/**
 * Holm's step-down adjustment: with p sorted ascending, p_(i) becomes
 * max over j <= i of min(1, (m - j + 1) p_(j)); returned in the input order. A
 * hypothesis is rejected at level alpha when its adjusted p-value is < alpha, which
 * controls the family-wise error rate at alpha.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, index) => index).sort((x, y) => pValues[x] - pValues[y] || x - y);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Per resample, the mean of several distributions (left to right, as the leaderboard's mean). */
export function meanOfDistributions(distributions: readonly ArrayLike<number>[]): Float64Array {
  if (distributions.length === 0) throw new RangeError('meanOfDistributions: nothing to average');
  const mean = new Float64Array(distributions[0].length);
  for (let resample = 0; resample < mean.length; resample++) {
    let sum = 0;
    for (const distribution of distributions) sum += distribution[resample];
    mean[resample] = sum / distributions.length;
  }
  return mean;
}

export interface Stratum {
  statistic: ResampledStatistic;
  /** The metrics of this stratum that enter the mean. */
  keys: readonly string[];
  /** Its resample stream (random.ts streamOf(dataset)); default: its position. */
  stream?: number;
}

/**
 * Stratified bootstrap of the mean of some metrics over several benchmarks: each
 * benchmark resampled independently (its own stream), the mean over all (benchmark,
 * key) pairs taken per resample, and its percentile interval.
 */
export function stratifiedBootstrap(strata: readonly Stratum[], options: BootstrapOptions): { mean: number; interval: Interval | null; distribution: Float64Array } {
  const observed: number[] = [];
  const distributions: Float64Array[] = [];
  strata.forEach((stratum, position) => {
    const [stratumDistributions] = bootstrapDistributions([stratum.statistic], { ...options, stream: stratum.stream ?? position });
    const values = observedValues(stratum.statistic);
    for (const key of stratum.keys) {
      const index = stratum.statistic.keys.indexOf(key);
      if (index < 0) throw new RangeError(`stratifiedBootstrap: stratum ${position} has no metric ${key}`);
      observed.push(values[index]);
      distributions.push(stratumDistributions[index]);
    }
  });
  const distribution = meanOfDistributions(distributions);
  return {
    mean: observed.reduce((sum, value) => sum + value, 0) / observed.length,
    interval: percentileInterval(distribution, options.level),
    distribution,
  };
}
