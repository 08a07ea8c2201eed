/**
 * The logistic-regression probe: what scikit-learn fits for a given training draw, in
 * terms of the dataset's classes (logreg.ts does the math).
 *
 * Single-label: sklearn fits only the classes present in the training draw
 * (`classes_ = unique(y)`) and can predict nothing else:
 * - 3 or more present: one multinomial fit; prediction = argmax of the decision values
 *   (a tie goes to the lower class), scores = softmax probabilities (0 for absent classes);
 * - 2 present: sklearn's binary fit; the higher class when its decision value is > 0,
 *   scores = its probability and 1 minus it;
 * - 1 present: sklearn refuses to fit; every image gets that class (noted in the result).
 * Multi-label: one binary fit per class; a class whose training draw is all 0 or all 1 is
 * predicted as that constant (what `OneVsRestClassifier` does), score = the constant.
 */
import type { LabelKind } from './types.ts';
import { decisionFunction, type EmbeddingRows, fitLogistic, type LogisticModel, sigmoid } from './logreg.ts';

export interface Pool {
  /** Row-major [rows, dimension]. */
  embeddings: Float32Array | Float64Array;
  dimension: number;
  /** Class indices of every row (one for single-label). */
  labels: readonly (readonly number[])[];
}

export interface ProbePrediction {
  /** Single-label: [tests] class indices; multi-label: [tests, classes] 0/1. */
  predictions: Int32Array | Uint8Array;
  /** [tests, classes]. */
  scores: Float64Array;
}

export interface LogisticProbe {
  predict(testRows: ArrayLike<number>): ProbePrediction;
  /** The fits behind it (none when every output is constant). */
  model?: LogisticModel;
  /** Dataset class of each model output (multinomial: per weight row; binary: the positive class). */
  outputClasses: number[];
  notes: string[];
}

export interface LogisticProbeOptions {
  pool: Pool;
  trainRows: ArrayLike<number>;
  labelKind: LabelKind;
  classCount: number;
  C: number;
}

const rowsOf = (pool: Pool, rows: ArrayLike<number>): EmbeddingRows => ({ embeddings: pool.embeddings, dimension: pool.dimension, rows });

export function fitLogisticProbe(options: LogisticProbeOptions): LogisticProbe {
  return options.labelKind === 'single-label' ? fitSingleLabel(options) : fitMultiLabel(options);
}

function fitSingleLabel({ pool, trainRows, classCount, C }: LogisticProbeOptions): LogisticProbe {
  const classOfRow = Array.from(trainRows, (row) => pool.labels[row][0]);
  const present = [...new Set(classOfRow)].sort((a, b) => a - b);
  if (present.length === 1) {
    const only = present[0];
    return {
      outputClasses: [],
      notes: [`only class ${only} in the training draw: every test image is predicted as it (scikit-learn cannot fit one class)`],
      predict: (testRows) => {
        const scores = new Float64Array(testRows.length * classCount);
        for (let test = 0; test < testRows.length; test++) scores[test * classCount + only] = 1;
        return { predictions: new Int32Array(testRows.length).fill(only), scores };
      },
    };
  }
  const compact = new Map(present.map((classIndex, position) => [classIndex, position]));
  const model = fitLogistic(rowsOf(pool, trainRows), {
    kind: 'multinomial', classOf: Int32Array.from(classOfRow, (classIndex) => compact.get(classIndex)!), classes: present.length,
  }, C);
  return {
    model,
    outputClasses: present.length === 2 ? [present[1]] : present,
    notes: model.converged ? [] : [`L-BFGS stopped before convergence (${model.reason}, largest gradient ${model.gradientMax.toExponential(2)})`],
    predict: (testRows) => {
      const tests = testRows.length;
      const decisions = decisionFunction(model, rowsOf(pool, testRows));
      const predictions = new Int32Array(tests);
      const scores = new Float64Array(tests * classCount);
      for (let test = 0; test < tests; test++) {
        const out = test * classCount;
        if (model.outputs === 1) {
          const value = decisions[test];
          predictions[test] = value > 0 ? present[1] : present[0];
          const probability = sigmoid(value);
          scores[out + present[1]] = probability;
          scores[out + present[0]] = 1 - probability;
          continue;
        }
        const z = decisions.subarray(test * model.outputs, (test + 1) * model.outputs);
        let best = 0;
        let largest = z[0];
        for (let c = 1; c < z.length; c++) if (z[c] > largest) [best, largest] = [c, z[c]];
        predictions[test] = present[best];
        let total = 0;
        for (let c = 0; c < z.length; c++) total += Math.exp(z[c] - largest);
        for (let c = 0; c < z.length; c++) scores[out + present[c]] = Math.exp(z[c] - largest) / total;
      }
      return { predictions, scores };
    },
  };
}

function fitMultiLabel({ pool, trainRows, classCount, C }: LogisticProbeOptions): LogisticProbe {
  const n = trainRows.length;
  const positives = new Int32Array(classCount);
  for (let index = 0; index < n; index++) for (const label of pool.labels[trainRows[index]]) positives[label]++;
  const fitted: number[] = [];
  const constant = new Map<number, number>();
  for (let c = 0; c < classCount; c++) {
    if (positives[c] === 0 || positives[c] === n) constant.set(c, positives[c] === 0 ? 0 : 1);
    else fitted.push(c);
  }
  let model: LogisticModel | undefined;
  if (fitted.length > 0) {
    const column = new Map(fitted.map((classIndex, position) => [classIndex, position]));
    const targets = new Uint8Array(n * fitted.length);
    for (let index = 0; index < n; index++) {
      for (const label of pool.labels[trainRows[index]]) {
        const position = column.get(label);
        if (position !== undefined) targets[index * fitted.length + position] = 1;
      }
    }
    model = fitLogistic(rowsOf(pool, trainRows), { kind: 'binary-columns', targets, columns: fitted.length }, C);
  }
  const notes: string[] = [];
  if (constant.size > 0) notes.push(`classes ${[...constant.keys()].join(', ')} are all ${[...constant.values()].every((value) => value === 0) ? 'absent' : 'absent or present'} in the training draw: predicted as that constant`);
  if (model !== undefined && !model.converged) notes.push(`L-BFGS stopped before convergence (${model.reason}, largest gradient ${model.gradientMax.toExponential(2)})`);
  return {
    model,
    outputClasses: fitted,
    notes,
    predict: (testRows) => {
      const tests = testRows.length;
      const predictions = new Uint8Array(tests * classCount);
      const scores = new Float64Array(tests * classCount);
      const decisions = model === undefined ? undefined : decisionFunction(model, rowsOf(pool, testRows));
      for (let test = 0; test < tests; test++) {
        const out = test * classCount;
        for (const [classIndex, value] of constant) {
          predictions[out + classIndex] = value;
          scores[out + classIndex] = value;
        }
        fitted.forEach((classIndex, position) => {
          const value = decisions![test * fitted.length + position];
          predictions[out + classIndex] = value > 0 ? 1 : 0;
          scores[out + classIndex] = sigmoid(value);
        });
      }
      return { predictions, scores };
    },
  };
}
