/**
 * Runs a probe over the draws of a label-efficiency curve:
 *
 * 1. check the input (shapes, labels, finite embeddings);
 * 2. kNN: one pass over the test x training similarities for all draws (knn.ts);
 *    logreg: per draw, C (fixed, or chosen by select-c.ts), fit, predict (logreg-probe.ts);
 * 3. metrics of each draw's test predictions (metrics/predictions.ts).
 *
 * Everything is addressed by rows of one embedding matrix (training draws, test and val
 * rows alike), so the caller embeds each image once and passes indices.
 */
import { multiLabelPredictionMetrics, singleLabelPredictionMetrics } from '../../metrics/predictions.ts';
import { knnClassify } from './knn.ts';
import { fitLogisticProbe, type Pool, type ProbePrediction } from './logreg-probe.ts';
import { type CSelection, selectC } from './select-c.ts';
import type { LabelKind, ProbeName } from './types.ts';

export interface CurveDraw {
  /** Rows of `embeddings` the probe trains on, in training order. */
  trainRows: ArrayLike<number>;
  /** The draw's seed (names the random stream of an `auto` C fold). */
  seed: number;
}

export interface CurveInput {
  /** Row-major [rows, dimension] image embeddings (any scale: rows are L2-normalised in float64). */
  embeddings: Float32Array | Float64Array;
  dimension: number;
  /** Class indices of every row (exactly one for single-label). */
  labels: readonly (readonly number[])[];
  /** Class names, in class-index order. */
  classes: readonly string[];
  labelKind: LabelKind;
  testRows: ArrayLike<number>;
  /** Rows of a `val` split, for `C: 'auto'`. */
  valRows?: ArrayLike<number>;
  draws: readonly CurveDraw[];
  probe: ProbeName;
  /** logreg's inverse penalty; ignored by knn. */
  C: number | 'auto';
}

export interface ProbeResult extends ProbePrediction {
  /** single-label: acc1, mean_per_class_recall, macro_f1; multi-label: macro_mAP, micro_f1. */
  metrics: Record<string, number | null>;
  /** Multi-label: classes with no positive test image, left out of macro_mAP. */
  excludedClasses: string[];
  /** logreg: the C used and how it was chosen. */
  C?: number;
  cSelection?: CSelection;
  /** knn: k. */
  neighbours?: number;
  /** Things a reader of the record should know (a class missing from a draw, ...). */
  notes: string[];
  /** Wall time of this draw's fit and prediction (kNN: its share of the shared pass). */
  seconds: number;
}

function checkInput(input: CurveInput): void {
  const { embeddings, dimension, labels, classes, labelKind } = input;
  const rows = labels.length;
  if (!Number.isInteger(dimension) || dimension < 1 || embeddings.length !== rows * dimension) {
    throw new RangeError(`few-shot: ${embeddings.length} embedding values for ${rows} rows of ${dimension}`);
  }
  for (let index = 0; index < embeddings.length; index++) {
    if (!Number.isFinite(embeddings[index])) throw new RangeError(`few-shot: embedding row ${Math.floor(index / dimension)} has a non-finite value`);
  }
  labels.forEach((rowLabels, row) => {
    if (labelKind === 'single-label' && rowLabels.length !== 1) throw new RangeError(`few-shot: single-label row ${row} has ${rowLabels.length} labels`);
    for (const label of rowLabels) if (!Number.isInteger(label) || label < 0 || label >= classes.length) throw new RangeError(`few-shot: row ${row} has class ${label}, outside 0..${classes.length - 1}`);
  });
  const checkRows = (what: string, list: ArrayLike<number>): void => {
    for (let index = 0; index < list.length; index++) {
      if (!Number.isInteger(list[index]) || list[index] < 0 || list[index] >= rows) throw new RangeError(`few-shot: ${what} row ${list[index]} outside 0..${rows - 1}`);
    }
  };
  if (input.testRows.length === 0) throw new RangeError('few-shot: no test rows');
  checkRows('test', input.testRows);
  if (input.valRows) checkRows('val', input.valRows);
  input.draws.forEach((draw, index) => {
    if (draw.trainRows.length === 0) throw new RangeError(`few-shot: draw ${index} has no training rows`);
    checkRows(`draw ${index} training`, draw.trainRows);
  });
  if (input.probe === 'logreg' && input.C !== 'auto' && !(input.C > 0 && Number.isFinite(input.C))) {
    throw new RangeError(`few-shot: C must be a positive number or "auto", got ${input.C}`);
  }
}

function scorePredictions(input: CurveInput, prediction: ProbePrediction): Pick<ProbeResult, 'metrics' | 'excludedClasses'> {
  const { labels, classes, testRows } = input;
  const classCount = classes.length;
  const tests = testRows.length;
  if (input.labelKind === 'single-label') {
    const targets = Int32Array.from(testRows, (row) => labels[row][0]);
    const metrics = singleLabelPredictionMetrics(prediction.predictions as Int32Array, targets, classCount);
    return { metrics: { ...metrics }, excludedClasses: [] };
  }
  const targets = new Uint8Array(tests * classCount);
  Array.from(testRows).forEach((row, index) => { for (const label of labels[row]) targets[index * classCount + label] = 1; });
  const metrics = multiLabelPredictionMetrics(prediction.predictions as Uint8Array, prediction.scores, targets, tests, classCount);
  return {
    metrics: { macro_mAP: metrics.macro_mAP, micro_f1: metrics.micro_f1 },
    excludedClasses: metrics.excludedClasses.map((classIndex) => classes[classIndex]),
  };
}

/** One result per draw, in the draws' order. */
export function runCurve(input: CurveInput): ProbeResult[] {
  checkInput(input);
  const pool: Pool = { embeddings: input.embeddings, dimension: input.dimension, labels: input.labels };
  const classCount = input.classes.length;
  if (input.probe === 'knn') {
    const started = performance.now();
    const outputs = knnClassify({ ...pool, classCount, labelKind: input.labelKind, testRows: input.testRows, draws: input.draws.map((draw) => draw.trainRows) });
    const share = (performance.now() - started) / 1000 / Math.max(outputs.length, 1);
    return outputs.map((output) => ({
      predictions: output.predictions, scores: output.scores, ...scorePredictions(input, output),
      neighbours: output.neighbours, notes: [], seconds: share,
    }));
  }
  return input.draws.map((draw) => {
    const started = performance.now();
    const cSelection: CSelection = input.C === 'auto'
      ? selectC({ pool, trainRows: draw.trainRows, valRows: input.valRows, labelKind: input.labelKind, classCount, seed: draw.seed })
      : { C: input.C, source: 'fixed' };
    const probe = fitLogisticProbe({ pool, trainRows: draw.trainRows, labelKind: input.labelKind, classCount, C: cSelection.C });
    const prediction = probe.predict(input.testRows);
    return {
      ...prediction, ...scorePredictions(input, prediction), C: cSelection.C, cSelection,
      notes: [...(cSelection.note ? [cSelection.note] : []), ...probe.notes], seconds: (performance.now() - started) / 1000,
    };
  });
}

export interface LabelledEmbeddings {
  /** Row-major [labels.length, dimension]. */
  embeddings: Float32Array | Float64Array;
  labels: readonly (readonly number[])[];
}

export interface ProbeInput {
  train: LabelledEmbeddings;
  test: LabelledEmbeddings;
  val?: LabelledEmbeddings;
  dimension: number;
  probe: ProbeName;
  C: number | 'auto';
  labelKind: LabelKind;
  classes: readonly string[];
  /** Seed of the `auto` C fold (default 0). */
  seed?: number;
}

/** One probe on one training set: `runCurve` for callers holding separate arrays. */
export function runProbe(input: ProbeInput): ProbeResult {
  const parts = [input.train, input.test, ...(input.val ? [input.val] : [])];
  const total = parts.reduce((sum, part) => sum + part.embeddings.length, 0);
  const embeddings = parts.every((part) => part.embeddings instanceof Float32Array) ? new Float32Array(total) : new Float64Array(total);
  let offset = 0;
  for (const part of parts) {
    embeddings.set(part.embeddings, offset);
    offset += part.embeddings.length;
  }
  const range = (start: number, count: number): Int32Array => Int32Array.from({ length: count }, (_, index) => start + index);
  const trainCount = input.train.labels.length;
  const testCount = input.test.labels.length;
  const [result] = runCurve({
    embeddings, dimension: input.dimension, labels: parts.flatMap((part) => part.labels),
    classes: input.classes, labelKind: input.labelKind, probe: input.probe, C: input.C,
    testRows: range(trainCount, testCount),
    valRows: input.val ? range(trainCount + testCount, input.val.labels.length) : undefined,
    draws: [{ trainRows: range(0, trainCount), seed: input.seed ?? 0 }],
  });
  return result;
}
