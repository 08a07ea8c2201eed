// The bootstrap (metrics/bootstrap.ts, bootstrap-statistics.ts, bootstrap-retrieval.ts,
// random.ts): the generator against its reference code, resampled metrics against the
// plain metrics and against numpy/sklearn on the same resamples, intervals against
// scipy.stats.bootstrap(method="percentile") and np.percentile (scripts/parity/
// bootstrap_intervals.py; skipped with a message when the Python environment is missing),
// determinism, paired comparisons, Holm, the stratified mean.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensurePythonEnvironment } from '../../adapters/export/python-env.mjs';
import { encodeNpy } from '../../core/npy.ts';
import {
  bootstrapDistributions, bootstrapIntervals, comparePaired, holmAdjust, intervalPercentiles, numpyPercentile,
  observedValues, pairedBootstrap, percentileInterval, resampleCounts, type ResampledStatistic, stratifiedBootstrap,
} from '../../metrics/bootstrap.ts';
import { multiLabelStatistic, singleLabelStatistic } from '../../metrics/bootstrap-statistics.ts';
import { multiLabelMetrics, singleLabelMetrics } from '../../metrics/index.ts';
import { streamOf, Xoshiro128 } from '../../metrics/random.ts';

function uniform(seed: number): () => number {
  const random = new Xoshiro128(seed, 99);
  return () => random.nextUint32() / 2 ** 32;
}

/** Single-label logits with a signal towards the target; `step` > 0 quantises them (ties). */
function singleLabelCase(n: number, k: number, seed: number, step = 0): { logits: Float32Array; targets: Int32Array } {
  const next = uniform(seed);
  const logits = new Float32Array(n * k);
  const targets = new Int32Array(n);
  for (let image = 0; image < n; image++) {
    targets[image] = Math.floor(next() * k);
    for (let c = 0; c < k; c++) {
      const value = 2 * next() - 1 + (c === targets[image] ? 0.6 : 0);
      logits[image * k + c] = step > 0 ? Math.round(value / step) * step : value;
    }
  }
  return { logits, targets };
}

function multiLabelCase(n: number, k: number, seed: number): { logits: Float32Array; targets: Uint8Array } {
  const next = uniform(seed);
  const logits = new Float32Array(n * k);
  const targets = new Uint8Array(n * k);
  for (let index = 0; index < n * k; index++) {
    targets[index] = next() < 0.25 ? 1 : 0;
    logits[index] = 2 * next() - 1 + 0.8 * targets[index];
  }
  return { logits, targets };
}

const asNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

test('xoshiro128** gives the reference code\'s outputs; seeds and streams are reproducible and distinct', () => {
  // prng.di.unimi.it/xoshiro128starstar.c from s = {1, 2, 3, 4}.
  const reference = Xoshiro128.fromState([1, 2, 3, 4]);
  assert.equal(Array.from({ length: 8 }, () => reference.nextUint32()), [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  const draw = (seed: number, stream = 0) => {
    const random = new Xoshiro128(seed, stream);
    return Array.from({ length: 6 }, () => random.nextUint32());
  };
  assert.equal(draw(0), draw(0));
  assert.not.equal(draw(0), draw(1));
  assert.not.equal(draw(0, streamOf('EuroSAT_MS')), draw(0, streamOf('METERML_MS')));
  // addDraws is a faster below(n) loop: same draws, for a Lemire-sized and a larger bound.
  for (const n of [7, 2 ** 21 + 3]) {
    const fast = new Int32Array(n);
    const slow = new Int32Array(n);
    new Xoshiro128(5).addDraws(fast, 1000);
    const random = new Xoshiro128(5);
    for (let draw = 0; draw < 1000; draw++) slow[random.below(n)]++;
    assert.ok(fast.every((value, index) => value === slow[index]), `addDraws = below loop for n = ${n}`);
  }
  // Uniform: 70,000 draws over 7 values, each within 4 standard deviations of 10,000.
  const counts = new Int32Array(7);
  new Xoshiro128(3).addDraws(counts, 70_000);
  for (const count of counts) assert.ok(Math.abs(count - 10_000) < 4 * Math.sqrt(70_000 * (1 / 7) * (6 / 7)), `count ${count}`);
});

test('a resample is n draws with replacement, as multiplicities', () => {
  const random = new Xoshiro128(11);
  const counts = new Int32Array(1000);
  resampleCounts(random, counts);
  assert.is(counts.reduce((sum, value) => sum + value, 0), 1000);
  const missing = counts.filter((value) => value === 0).length;
  // About 1/e of the images are left out of a resample.
  assert.ok(missing > 330 && missing < 410, `${missing} images not drawn`);
});

test('on the test set itself (every image once) the statistics equal the reported metrics bit for bit', () => {
  for (const [n, k, step] of [[300, 3, 0], [257, 10, 0], [400, 7, 0.25], [5, 6, 0], [150, 12, 0.5]] as const) {
    const { logits, targets } = singleLabelCase(n, k, n + k, step);
    const expected = singleLabelMetrics(logits, n, k, targets).metrics;
    const statistic = singleLabelStatistic(logits, n, k, targets);
    const observed = observedValues(statistic);
    statistic.keys.forEach((key, index) => assert.is(asNull(observed[index]), expected[key], `${key} (n ${n}, k ${k}, step ${step})`));
  }
  for (const [n, k] of [[200, 5], [120, 19], [90, 9]]) {
    const { logits, targets } = multiLabelCase(n, k, n);
    const expected = multiLabelMetrics(logits, n, k, targets).metrics;
    const statistic = multiLabelStatistic(logits, n, k, targets);
    const observed = observedValues(statistic);
    statistic.keys.forEach((key, index) => assert.is(observed[index], expected[key], `${key} (n ${n}, k ${k})`));
  }
});

test('numpy\'s linear percentile, including its interpolation from the upper neighbour', () => {
  assert.is(numpyPercentile([4, 1, 3, 2], 50), 2.5);
  assert.is(numpyPercentile([1, 2, 3, 4], 0), 1);
  assert.is(numpyPercentile([1, 2, 3, 4], 100), 4);
  assert.is(numpyPercentile([10, 20], 25), 12.5);
  assert.is(numpyPercentile([0.1, 0.7], 90), 0.7 - (0.7 - 0.1) * (1 - 0.9));
  assert.ok(Number.isNaN(numpyPercentile([1, Number.NaN], 50)));
  assert.equal(intervalPercentiles(0.95).map((value) => value.toFixed(6)), ['2.500000', '97.500000']);
});

test('deterministic: the same seed gives the same intervals, another seed other ones', () => {
  const { logits, targets } = singleLabelCase(500, 10, 4);
  const statistic = singleLabelStatistic(logits, 500, 10, targets);
  const first = bootstrapIntervals(statistic, { resamples: 200, seed: 7 });
  const again = bootstrapIntervals(singleLabelStatistic(logits, 500, 10, targets), { resamples: 200, seed: 7 });
  const other = bootstrapIntervals(statistic, { resamples: 200, seed: 8 });
  assert.equal(first, again);
  assert.not.equal(first.ci, other.ci);
  assert.equal(first.method, { level: 0.95, resamples: 200, seed: 7, kind: 'percentile' });
  for (const key of statistic.keys) {
    const interval = first.ci[key]!;
    assert.ok(interval[0] <= interval[1], key);
  }
  // acc5 with fewer than 5 classes is null in the record, and so is its interval.
  const three = singleLabelCase(100, 3, 5);
  assert.is(bootstrapIntervals(singleLabelStatistic(three.logits, 100, 3, three.targets), { resamples: 20, seed: 0 }).ci.acc5, null);
});

test('paired: a model against itself differs by exactly 0 with p = 1', () => {
  const { logits, targets } = singleLabelCase(400, 10, 9);
  const a = singleLabelStatistic(logits, 400, 10, targets);
  const b = singleLabelStatistic(logits.slice(), 400, 10, targets.slice());
  for (const comparisons of [pairedBootstrap(a, a, { resamples: 300, seed: 1 }), pairedBootstrap(a, b, { resamples: 300, seed: 1 })]) {
    for (const key of ['acc1', 'acc5', 'mean_per_class_recall', 'mAP', 'mAP_tm19']) {
      const comparison = comparisons[key]!;
      assert.is(comparison.difference, 0, key);
      assert.equal(comparison.interval, [0, 0], key);
      assert.is(comparison.pValue, 1, key);
    }
  }
});

/** 5,000 images, 10 classes: model A gets the first `correctA` images right, B the first `correctB`. */
function correctFirst(correct: number): ResampledStatistic {
  const n = 5000;
  const k = 10;
  const logits = new Float32Array(n * k);
  const targets = new Int32Array(n);
  for (let image = 0; image < n; image++) {
    targets[image] = image % k;
    const predicted = image < correct ? targets[image] : (targets[image] + 1) % k;
    for (let c = 0; c < k; c++) logits[image * k + c] = c === predicted ? 1 : -((image * 7 + c * 13) % 17) / 17;
  }
  return singleLabelStatistic(logits, n, k, targets, { retrieval: false });
}

test('paired: one more correct image out of 5,000 is not significant; 150 more are', () => {
  const options = { resamples: 1000, seed: 0 };
  const oneMore = pairedBootstrap(correctFirst(2501), correctFirst(2500), options).acc1!;
  assert.is(oneMore.difference, 2501 / 5000 - 2500 / 5000);
  assert.ok(oneMore.pValue > 0.05, `p = ${oneMore.pValue}`);
  assert.ok(oneMore.interval[0] <= 0 && oneMore.interval[1] > 0, `interval ${oneMore.interval.join(', ')}`);
  const many = pairedBootstrap(correctFirst(2650), correctFirst(2500), options).acc1!;
  assert.ok(many.pValue < 0.01, `p = ${many.pValue}`);
  assert.ok(many.interval[0] > 0, `interval ${many.interval.join(', ')}`);
});

test('paired p-value: twice the smaller tail beyond 0, with +1 in numerator and denominator', () => {
  // d* = [-1, 1, 2, 3]: one at or below 0, three at or above: p = 2 * (1 + 1) / 5.
  assert.is(comparePaired([0, 2, 3, 4], [1, 1, 1, 1], 1, 0)!.pValue, 0.8);
  // All 19 differences above 0: p = 2 * (1 + 0) / 20.
  const above = comparePaired(Array.from({ length: 19 }, (_, index) => index + 1), new Array(19).fill(0), 5, 0)!;
  assert.is(above.pValue, 0.1);
  assert.is(above.difference, 5);
  assert.is(comparePaired([Number.NaN], [0], 0, 0), null);
});

test('Holm on known values', () => {
  // Sorted 0.005, 0.01, 0.03, 0.04 -> 4 * 0.005, 3 * 0.01, max(2 * 0.03, .), max(1 * 0.04, 0.06).
  const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((expected, index) => assert.ok(Math.abs(adjusted[index] - expected) < 1e-15, `${index}: ${adjusted[index]}`));
  assert.equal(holmAdjust([0.5, 0.9]), [1, 1]);
  assert.equal(holmAdjust([0.2, 0.3]), [0.4, 0.4]);
  assert.equal(holmAdjust([]), []);
  assert.equal(holmAdjust([0.2]), [0.2]);
});

test('stratified: each benchmark keeps its size, resampled on its own stream', () => {
  const allRight = correctFirst(5000);
  const allWrong = correctFirst(0);
  // Pooled resampling would move the mean; per-benchmark resampling keeps it at 0.5.
  const constant = stratifiedBootstrap([{ statistic: allRight, keys: ['acc1'] }, { statistic: allWrong, keys: ['acc1'] }], { resamples: 50, seed: 0 });
  assert.is(constant.mean, 0.5);
  assert.equal(constant.interval, [0.5, 0.5]);
  // The mean's distribution is the mean of the strata's own distributions on their streams.
  const a = singleLabelCase(300, 10, 21);
  const b = multiLabelCase(200, 6, 22);
  const statisticA = singleLabelStatistic(a.logits, 300, 10, a.targets);
  const statisticB = multiLabelStatistic(b.logits, 200, 6, b.targets);
  const options = { resamples: 100, seed: 3 };
  const result = stratifiedBootstrap([
    { statistic: statisticA, keys: ['acc1', 'mAP'], stream: streamOf('A') },
    { statistic: statisticB, keys: ['Ave_mAP'], stream: streamOf('B') },
  ], options);
  const [[acc1, , , mAP]] = bootstrapDistributions([statisticA], { ...options, stream: streamOf('A') });
  const [[, aveMap]] = bootstrapDistributions([statisticB], { ...options, stream: streamOf('B') });
  for (let resample = 0; resample < 100; resample++) {
    assert.is(result.distribution[resample], (acc1[resample] + mAP[resample] + aveMap[resample]) / 3);
  }
  assert.equal(result.interval, percentileInterval(result.distribution));
  const observedA = observedValues(statisticA);
  assert.is(result.mean, (observedA[0] + observedA[3] + observedValues(statisticB)[1]) / 3);
});

// ---- Against scipy and numpy (Python) ----

let python: string | null = null;
let skipReason = '';
try {
  python = ensurePythonEnvironment({ quiet: true });
  const check = spawnSync(python, ['-c', 'import scipy, sklearn, numpy'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`scipy/scikit-learn not importable: ${check.stderr.trim().split('\n').pop()}`);
} catch (error) {
  python = null;
  skipReason = (error as Error).message;
}

interface PythonAnswer {
  scipy: Record<string, [number, number]>;
  numpy_percentiles: Record<string, [number, number]>;
  recomputed: Record<string, number[]>;
}

function askPython(task: 'single-label' | 'multi-label', logits: Float32Array, targets: Int32Array | Uint8Array, n: number, k: number, distributions: Record<string, number[]>, counts: number[][]): PythonAnswer {
  const work = mkdtempSync(join(tmpdir(), 'bootstrap-parity-'));
  try {
    writeFileSync(join(work, 'logits.npy'), encodeNpy(logits, [n, k]));
    writeFileSync(join(work, 'targets.npy'), encodeNpy(targets, task === 'single-label' ? [n] : [n, k]));
    const request = {
      task, logits: join(work, 'logits.npy'), targets: join(work, 'targets.npy'), keys: Object.keys(distributions),
      level: 0.95, percentiles: intervalPercentiles(0.95), scipy_resamples: 2000, scipy_seed: 12345, distributions, counts,
    };
    writeFileSync(join(work, 'request.json'), JSON.stringify(request));
    const result = spawnSync(python!, ['scripts/parity/bootstrap_intervals.py', join(work, 'request.json')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`scripts/parity/bootstrap_intervals.py failed:\n${result.stderr}`);
    return JSON.parse(result.stdout) as PythonAnswer;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function checkAgainstPython(task: 'single-label' | 'multi-label', statistic: ResampledStatistic, logits: Float32Array, targets: Int32Array | Uint8Array, k: number): void {
  const { n } = statistic;
  const resamples = 2000;
  const options = { resamples, seed: 2 };
  const [distributions] = bootstrapDistributions([statistic], options);
  // The first resamples again, as multiplicities, for Python to recompute the metrics on.
  const random = new Xoshiro128(options.seed);
  const counts = Array.from({ length: 5 }, () => {
    const resample = new Int32Array(n);
    resampleCounts(random, resample);
    return Array.from(resample);
  });
  const answer = askPython(task, logits, targets, n, k, Object.fromEntries(statistic.keys.map((key, index) => [key, Array.from(distributions[index])])), counts);
  const { ci } = bootstrapIntervals(statistic, options);
  const tolerance = Math.max(0.01, 1 / n);
  statistic.keys.forEach((key, index) => {
    answer.recomputed[key].forEach((value, resample) => {
      assert.ok(Math.abs(distributions[index][resample] - value) < 1e-6, `${key} on resample ${resample}: ours ${distributions[index][resample]}, numpy/sklearn ${value}`);
    });
    assert.equal(ci[key], answer.numpy_percentiles[key], `${key}: interval ends are np.percentile of our distribution, bit for bit`);
    const [low, high] = ci[key]!;
    const [scipyLow, scipyHigh] = answer.scipy[key];
    assert.ok(Math.abs(low - scipyLow) <= tolerance && Math.abs(high - scipyHigh) <= tolerance,
      `${key}: ours [${low}, ${high}], scipy [${scipyLow}, ${scipyHigh}] (tolerance ${tolerance})`);
  });
}

test('single-label intervals agree with scipy.stats.bootstrap(method="percentile")', () => {
  if (!python) {
    console.log(`  SKIPPED: no Python environment with scipy (${skipReason})`);
    return;
  }
  const n = 600;
  const k = 10;
  const { logits, targets } = singleLabelCase(n, k, 31);
  checkAgainstPython('single-label', singleLabelStatistic(logits, n, k, targets), logits, targets, k);
});

test('multi-label intervals agree with scipy.stats.bootstrap(method="percentile")', () => {
  if (!python) {
    console.log(`  SKIPPED: no Python environment with scipy (${skipReason})`);
    return;
  }
  const n = 400;
  const k = 6;
  const { logits, targets } = multiLabelCase(n, k, 32);
  checkAgainstPython('multi-label', multiLabelStatistic(logits, n, k, targets), logits, targets, k);
});

test.run();
