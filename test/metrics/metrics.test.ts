// Metrics against golden numbers from scripts/golden/metrics.py, which computes what
// the reference harness reports (IBM/MS-CLIP zeroshot_eval.py's calls: sklearn,
// torchmetrics' RetrievalMAP module with the <= 1.7.3 and >= 1.7.4 per-query AP, torch's
// float32 means, np.mean) and the same computation with ties broken lower index first.
// Where no score ties, every number must equal the reference's to the last bit.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  averagePrecisionAtK, METRICS, multiLabelMetrics, multiLabelPredictions, singleLabelMetrics, topKIndices,
  type MetricResult,
} from '../../metrics/index.ts';
import { numpyMean, torchMeanFloat32, torchSumFloat32 } from '../../metrics/reductions.ts';

type Numbers = Record<string, number | null>;
interface ExpectedResult { metrics: Numbers; perClass: Numbers[] }
interface CaseBase {
  name: string; n: number; k: number; logits: string; ties: boolean;
  expected: ExpectedResult; reference: ExpectedResult;
}
interface SingleCase extends CaseBase { targets: number[] }
interface MultiCase extends CaseBase { targets: string; expectedPredictions: string; float32MeanFlips: number }
interface AveragePrecisionCase {
  name: string; scores: number[]; relevant: number[]; k: number; ties: boolean;
  expected: { ap: number; ap_tm19: number }; reference: { ap: number; ap_tm19: number };
}
interface SumCase { length: number; formula: [number, number, number, number, number]; sum: number; mean: number }
interface Golden {
  single: SingleCase[]; multi: MultiCase[]; averagePrecision: AveragePrecisionCase[];
  sums: { float32: SumCase[]; numpyMean: { values: number[]; mean: number }[] };
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/metrics/golden.json', import.meta.url), 'utf8'),
) as Golden;

function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const values = new Float32Array(bytes.length / 4);
  for (let index = 0; index < values.length; index++) values[index] = bytes.readFloatLE(index * 4);
  return values;
}
const uint8FromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

const EXACT = 1e-9;
// Numbers that depend on the order torch.topk gives equal scores (unspecified).
const TIE_SENSITIVE = new Set(['acc1', 'acc5', 'mAP', 'mAP_tm19', 'Ave_mAP', 'Ave_mAP_tm19', 'ap', 'ap_tm19']);

function close(actual: number | null | undefined, expected: number | null, tolerance: number, where: string): void {
  if (expected === null) {
    assert.is(actual, null, `${where}: expected null`);
    return;
  }
  assert.type(actual, 'number', `${where}: expected a number`);
  const difference = Math.abs((actual as number) - expected);
  assert.ok(difference <= tolerance, `${where}: got ${actual}, expected ${expected} (|diff| ${difference} > ${tolerance})`);
}

function compareToExpected(result: MetricResult, expected: ExpectedResult, where: string): void {
  assert.equal(Object.keys(result.metrics).sort(), Object.keys(expected.metrics).sort(), `${where}: metric keys`);
  for (const [key, value] of Object.entries(expected.metrics)) close(result.metrics[key], value, EXACT, `${where} ${key}`);
  assert.is(result.perClass.length, expected.perClass.length, `${where}: per-class length`);
  expected.perClass.forEach((entry, classIndex) => {
    for (const [key, value] of Object.entries(entry)) {
      close(result.perClass[classIndex][key as keyof MetricResult['perClass'][number]], value, EXACT, `${where} class ${classIndex} ${key}`);
    }
  });
}

/** Against the reference's own outputs, where they exist and do not hinge on tie order. */
function compareToReference(result: MetricResult, reference: ExpectedResult, where: string, skip: (key: string) => boolean): number {
  let compared = 0;
  const check = (key: string, actual: number | null | undefined, value: number | null): void => {
    if (value === null || skip(key)) return;
    assert.ok(Object.is(actual, value), `${where} (reference) ${key}: got ${actual}, reference ${value} (not the same bits)`);
    compared++;
  };
  for (const [key, value] of Object.entries(reference.metrics)) check(key, result.metrics[key], value);
  reference.perClass.forEach((entry, classIndex) => {
    for (const [key, value] of Object.entries(entry)) {
      check(key, result.perClass[classIndex][key as keyof MetricResult['perClass'][number]], value);
    }
  });
  return compared;
}

test('golden file holds the planned cases', () => {
  assert.ok(golden.single.length >= 8, 'single-label cases');
  assert.ok(golden.multi.length >= 5, 'multi-label cases');
  assert.ok(golden.averagePrecision.length >= 10, 'AP cases');
  assert.ok(golden.single.some((entry) => entry.k < 5), 'a case with k < 5');
  assert.ok(golden.single.some((entry) => entry.n > 100) && golden.single.some((entry) => entry.n < 100), 'n around top_k');
  assert.ok(golden.single.some((entry) => entry.expected.metrics.mAP !== entry.expected.metrics.mAP_tm19), 'a case where the AP variants differ');
  assert.ok(golden.multi.some((entry) => entry.float32MeanFlips > 0 && !entry.ties), 'a case decided by the last bit of the float32 mean');
});

for (const entry of golden.single) {
  test(`singleLabelMetrics: ${entry.name}`, () => {
    const result = singleLabelMetrics(float32FromBase64(entry.logits), entry.n, entry.k, Int32Array.from(entry.targets));
    compareToExpected(result, entry.expected, entry.name);
    const compared = compareToReference(result, entry.reference, entry.name, (key) => entry.ties && TIE_SENSITIVE.has(key));
    assert.ok(compared > 0, 'compared against the reference at all');
  });
}

for (const entry of golden.multi) {
  test(`multiLabelMetrics: ${entry.name}`, () => {
    const logits = float32FromBase64(entry.logits);
    const targets = uint8FromBase64(entry.targets);
    assert.equal(multiLabelPredictions(logits, entry.n, entry.k), uint8FromBase64(entry.expectedPredictions), 'predictions');
    const result = multiLabelMetrics(logits, entry.n, entry.k, targets);
    compareToExpected(result, entry.expected, entry.name);
    const compared = compareToReference(result, entry.reference, entry.name, (key) => entry.ties && TIE_SENSITIVE.has(key));
    assert.ok(compared > 0 || entry.ties, 'compared against the reference at all');
  });
}

for (const entry of golden.averagePrecision) {
  test(`averagePrecisionAtK: ${entry.name}`, () => {
    const scores = Float32Array.from(entry.scores);
    const relevant = Uint8Array.from(entry.relevant);
    const paperEra = averagePrecisionAtK(scores, relevant, entry.k);
    const ignoringNonPositive = averagePrecisionAtK(scores, relevant, entry.k, { ignoreNonPositive: true });
    close(paperEra, entry.expected.ap, EXACT, 'paper-era AP');
    close(ignoringNonPositive, entry.expected.ap_tm19, EXACT, 'tm19 AP');
    if (!entry.ties) {
      assert.ok(Object.is(paperEra, entry.reference.ap), `torchmetrics 1.7.3 AP: ${paperEra} vs ${entry.reference.ap}`);
      assert.ok(Object.is(ignoringNonPositive, entry.reference.ap_tm19), `torchmetrics 1.9 AP: ${ignoringNonPositive} vs ${entry.reference.ap_tm19}`);
    }
  });
}

const generated = (length: number, [a, b, m, c, d]: SumCase['formula']): Float32Array => {
  const values = new Float32Array(length);
  for (let index = 0; index < length; index++) values[index] = (((index * a + b) % m) - c) / d;
  return values;
};

test('torchSumFloat32 / torchMeanFloat32: torch\'s float32 sum and mean, bit for bit', () => {
  let orderMatters = 0;
  for (const entry of golden.sums.float32) {
    const values = generated(entry.length, entry.formula);
    const where = `length ${entry.length}`;
    assert.ok(Object.is(torchSumFloat32(values), entry.sum), `${where}: sum ${torchSumFloat32(values)}, torch ${entry.sum}`);
    assert.ok(Object.is(torchMeanFloat32(values), entry.mean), `${where}: mean ${torchMeanFloat32(values)}, torch ${entry.mean}`);
    let sequential = 0;
    for (const value of values) sequential = Math.fround(sequential + value);
    if (sequential !== entry.sum) orderMatters++;
  }
  assert.ok(golden.sums.float32.some((entry) => entry.length > 2 ** 24), 'a length that uses every folding level');
  // The cases discriminate: a left-to-right float32 sum gets many of them wrong.
  assert.ok(orderMatters > 10, `only ${orderMatters} cases depend on the summation order`);
});

test('torchSumFloat32 reads a slice (one row of a matrix)', () => {
  const row = generated(18, golden.sums.float32[17].formula);
  const matrix = new Float32Array(3 * 18);
  matrix.set(row, 18);
  assert.ok(Object.is(torchSumFloat32(matrix, 18, 18), torchSumFloat32(row)));
});

test('numpyMean: np.mean of float64 values, bit for bit', () => {
  for (const entry of golden.sums.numpyMean) {
    assert.ok(Object.is(numpyMean(entry.values), entry.mean), `length ${entry.values.length}: ${numpyMean(entry.values)}, numpy ${entry.mean}`);
  }
  assert.ok(Number.isNaN(numpyMean([])));
});

test('averagePrecisionAtK accepts plain arrays and booleans', () => {
  // torchmetrics' doc example, tensor(0.8333): (1 + float32(2/3)) / 2 in float32 is
  // 0.8333333730697632 (what torchmetrics returns), one float32 step above the nearest 5/6.
  assert.is(averagePrecisionAtK([0.2, 0.3, 0.5], [true, false, true], 3), 0.8333333730697632);
});

/** Obviously-correct reference order: stable sort by descending score. */
function sortedOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, index) => index)
    .sort((a, b) => (scores[b] - scores[a]) || (a - b));
}

test('topKIndices: higher score first, ties lower index first, both code paths', () => {
  let seed = 12345;
  const random = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (const [count, k] of [[1000, 5], [1000, 100], [1000, 400], [1000, 1000], [50, 100], [7, 0]]) {
    const scores = Float32Array.from({ length: count }, () => Math.floor(random() * 20) - 10);
    const expected = sortedOrder(scores).slice(0, k);
    assert.equal(Array.from(topKIndices(scores, k)), expected, `count ${count}, k ${k}`);
  }
  assert.equal(Array.from(topKIndices([1, 3, 3, 2, 3], 3)), [1, 2, 4]);
});

test('METRICS: every reported key is defined, higher is better', () => {
  const single = singleLabelMetrics(Float32Array.from([1, 0, 0, 0, 1, 0]), 2, 3, Int32Array.from([0, 2]));
  const multi = multiLabelMetrics(Float32Array.from([1, 0, 0, 0, 1, 0]), 2, 3, Uint8Array.from([1, 0, 0, 0, 0, 1]));
  for (const key of [...Object.keys(single.metrics), ...Object.keys(multi.metrics)]) {
    assert.ok(key in METRICS, `${key} defined`);
    assert.is(METRICS[key].key, key);
    assert.is(METRICS[key].higherIsBetter, true);
  }
  assert.equal(Object.keys(METRICS).sort(), [
    'Ave_mAP', 'Ave_mAP_tm19', 'Average_class_accuracy', 'acc1', 'acc5', 'mAP', 'mAP_tm19', 'macro_f1', 'macro_mAP', 'mean_per_class_recall', 'micro_f1',
  ]);
  assert.is(single.metrics.acc5, null);
});

test('bad shapes and values are refused with a message naming the argument', () => {
  assert.throws(() => singleLabelMetrics(new Float32Array(5), 2, 3, new Int32Array(2)), /logits has 5 values/);
  assert.throws(() => singleLabelMetrics(new Float32Array(6), 2, 3, new Int32Array(3)), /3 targets for 2 images/);
  assert.throws(() => singleLabelMetrics(new Float32Array(6), 2, 3, Int32Array.from([0, 3])), /target of image 1 is 3/);
  assert.throws(() => singleLabelMetrics(Float32Array.from([0, Number.NaN]), 1, 2, Int32Array.from([0])), /logit \[0, 1\] is NaN/);
  assert.throws(() => multiLabelMetrics(new Float32Array(6), 2, 3, Uint8Array.from([0, 0, 2, 0, 0, 0])), /target \[0, 2\] is 2/);
  assert.throws(() => multiLabelMetrics(new Float32Array(2), 2, 1, new Uint8Array(2)), /at least 2 classes/);
  assert.throws(() => averagePrecisionAtK([1, 2], [1], 1), /2 scores but 1 relevance/);
});

test.run();
