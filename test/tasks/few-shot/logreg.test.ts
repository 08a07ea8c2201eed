import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decisionFunction, fitLogistic, type LogisticModel } from '../../../tasks/few-shot/logreg.ts';
import { singleLabelData } from './synthetic.ts';

const data = singleLabelData(90, 12, 4, 0.8, 7);
const rows = Array.from({ length: 60 }, (_, index) => index);
const classOf = Int32Array.from(rows, (row) => data.labels[row][0]);

/** The unit-norm rows, plainly. */
const unit = rows.map((row) => {
  const values = Array.from(data.embeddings.subarray(row * 12, (row + 1) * 12));
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
  return values.map((value) => value / norm);
});

/** sklearn's gradient, written out independently: (1/n) X^T (P - Y) + W / (C n), intercepts (1/n) sum (P - Y). */
function gradientAt(model: LogisticModel, residual: (row: number, output: number, z: number[]) => number): number[] {
  const n = rows.length;
  const gradient: number[] = new Array<number>(model.outputs * 13).fill(0);
  unit.forEach((x, row) => {
    const z = Array.from({ length: model.outputs }, (_, c) => x.reduce((sum, value, k) => sum + value * model.weights[c * 12 + k], model.intercepts[c]));
    for (let c = 0; c < model.outputs; c++) {
      const r = residual(row, c, z);
      for (let k = 0; k < 12; k++) gradient[c * 12 + k] += r * x[k] / n;
      gradient[model.outputs * 12 + c] += r / n;
    }
  });
  for (let index = 0; index < model.outputs * 12; index++) gradient[index] += model.weights[index] / (model.C * n);
  return gradient;
}

test('multinomial: converged, and the independent gradient vanishes at the solution', () => {
  const model = fitLogistic({ embeddings: data.embeddings, dimension: 12, rows }, { kind: 'multinomial', classOf, classes: 4 }, 0.7);
  assert.is(model.kind, 'multinomial');
  assert.is(model.outputs, 4);
  assert.ok(model.converged, model.reason);
  const gradient = gradientAt(model, (row, c, z) => {
    const largest = Math.max(...z);
    const total = z.reduce((sum, value) => sum + Math.exp(value - largest), 0);
    return Math.exp(z[c] - largest) / total - (classOf[row] === c ? 1 : 0);
  });
  assert.ok(Math.max(...gradient.map(Math.abs)) < 1.001e-8, `largest gradient ${Math.max(...gradient.map(Math.abs))}`);
  // Weights sum to zero over classes at the optimum (the penalty's stationarity).
  for (let k = 0; k < 12; k++) assert.ok(Math.abs([0, 1, 2, 3].reduce((sum, c) => sum + model.weights[c * 12 + k], 0)) < 1e-7);
});

test('two classes are one binary fit (sklearn), several 0/1 columns independent binary fits', () => {
  const binaryClass = Int32Array.from(classOf, (c) => (c >= 2 ? 1 : 0));
  const binary = fitLogistic({ embeddings: data.embeddings, dimension: 12, rows }, { kind: 'multinomial', classOf: binaryClass, classes: 2 }, 2);
  assert.is(binary.kind, 'binary-columns');
  assert.is(binary.outputs, 1);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const gradient = gradientAt(binary, (row, _c, z) => sigmoid(z[0]) - binaryClass[row]);
  assert.ok(Math.max(...gradient.map(Math.abs)) < 1.001e-8);

  const targets = new Uint8Array(rows.length * 2);
  rows.forEach((row) => { targets[row * 2] = binaryClass[row]; targets[row * 2 + 1] = classOf[row] === 1 ? 1 : 0; });
  const columns = fitLogistic({ embeddings: data.embeddings, dimension: 12, rows }, { kind: 'binary-columns', targets, columns: 2 }, 2);
  // Column 0 is the same problem as the binary fit: the same optimum, to what a gradient
  // of 1e-8 leaves open (1e-8 over the penalty's curvature 1 / (C n) = 1/120: ~1e-6).
  const error = Math.max(...Array.from(binary.weights, (value, k) => Math.abs(value - columns.weights[k])));
  assert.ok(error < 1e-5, `${error}`);
  assert.ok(Math.abs(binary.intercepts[0] - columns.intercepts[0]) < 1e-5);
});

test('decisionFunction is x W^T + b of the unit rows, in chunks', () => {
  const model = fitLogistic({ embeddings: data.embeddings, dimension: 12, rows }, { kind: 'multinomial', classOf, classes: 4 }, 1);
  const tests = [60, 61, 89, 0];
  const decisions = decisionFunction(model, { embeddings: data.embeddings, dimension: 12, rows: tests });
  tests.forEach((row, index) => {
    const values = Array.from(data.embeddings.subarray(row * 12, (row + 1) * 12));
    const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
    for (let c = 0; c < 4; c++) {
      const expected = values.reduce((sum, value, k) => sum + (value / norm) * model.weights[c * 12 + k], model.intercepts[c]);
      assert.ok(Math.abs(decisions[index * 4 + c] - expected) < 1e-12);
    }
  });
});

test.run();
