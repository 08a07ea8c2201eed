/**
 * L2-penalised logistic regression with intercepts, scikit-learn's objective for
 * `LogisticRegression(C=C, solver="lbfgs")` (sklearn >= 1.5, `_logistic_regression_path`
 * with `LinearModelLoss`), minimised by lbfgs.ts:
 *
 *   f(W, b) = (1/n) sum_i loss_i(x_i W^T + b) + 1 / (2 C n) * ||W||^2      (b not penalised)
 *
 * - 'multinomial' (3 or more classes): loss_i = logsumexp(z_i) - z_i[y_i], one weight
 *   row per class (sklearn's `HalfMultinomialLoss`, the full over-parametrised K rows).
 * - 'binary-columns': loss_i = sum over columns c of log(1 + exp(z_ic)) - y_ic z_ic,
 *   sklearn's `HalfBinomialLoss`. One column is sklearn's two-class fit (which is binary,
 *   not a two-row multinomial: the optimum differs); several columns are independent
 *   binary fits (one per label, as `OneVsRestClassifier` makes them): the objective is
 *   a sum of terms in disjoint parameters, so minimising the sum minimises each term,
 *   and the joint gradient test bounds every column's gradient. Fitting them together
 *   lets X W^T run as one matrix product.
 *
 * The start is 0 as in sklearn; the stopping rules are the ones our parity check gives
 * sklearn (gradient 1e-8), the relative-reduction rule 64 times tighter, so the fit
 * sits at least as near the optimum as sklearn's. Rows of X are scaled to unit L2 norm in float64 first.
 */
import { minimize, type StopReason } from './lbfgs.ts';
import { loadRows, type Float64Workspace, sharedWorkspace } from './products.ts';

export interface EmbeddingRows {
  /** Row-major [*, dimension] embeddings; `rows` picks the ones used, in order. */
  embeddings: Float32Array | Float64Array;
  dimension: number;
  rows: ArrayLike<number>;
}

export type LogisticTarget =
  /** Class of each row, 0..classes-1 (classes >= 2; 2 is fitted as one binary column). */
  | { kind: 'multinomial'; classOf: Int32Array; classes: number }
  /** [rows, columns] 0/1 targets, one independent binary fit per column. */
  | { kind: 'binary-columns'; targets: Uint8Array; columns: number };

export interface LogisticModel {
  kind: 'multinomial' | 'binary-columns';
  /** Weight rows: classes (multinomial) or columns (binary; 1 for a two-class fit). */
  outputs: number;
  dimension: number;
  /** [outputs, dimension], row-major. */
  weights: Float64Array;
  intercepts: Float64Array;
  C: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  reason: StopReason;
  gradientMax: number;
}

export interface FitOptions {
  gradientTolerance?: number;
  maxIterations?: number;
  workspace?: Float64Workspace;
}

/**
 * The gradient tolerance our parity check gives sklearn (`tol=1e-8`). Tighter is not
 * better: on 512-dimensional embeddings float64 rounding leaves gradients of ~1e-9, where
 * line searches fail and cost dozens of evaluations without moving the fit.
 */
export const DEFAULT_GRADIENT_TOLERANCE = 1e-8;
/**
 * Stop when a step lowers f by less than one machine epsilon relative (sklearn: 64):
 * below that, f cannot tell the points apart, and the gradient test has had its chance.
 */
export const REDUCTION_TOLERANCE = 2 ** -52;
/** Rows of test embeddings scored per matrix product. */
const SCORE_CHUNK = 4096;

/** log(1 + exp(z)) without overflow. */
export function log1pExp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export function fitLogistic(x: EmbeddingRows, target: LogisticTarget, C: number, options: FitOptions = {}): LogisticModel {
  const n = x.rows.length;
  const d = x.dimension;
  if (n < 1) throw new RangeError('fitLogistic: no training rows');
  if (!(C > 0)) throw new RangeError(`fitLogistic: C must be > 0, got ${C}`);
  const multinomial = target.kind === 'multinomial' && target.classes > 2;
  const outputs = target.kind === 'multinomial' ? (multinomial ? target.classes : 1) : target.columns;
  if (target.kind === 'multinomial' && (target.classes < 2 || target.classOf.length !== n)) {
    throw new RangeError(`fitLogistic: ${target.classOf.length} classes for ${n} rows, ${target.classes} classes (needs >= 2)`);
  }
  if (target.kind === 'binary-columns' && target.targets.length !== n * target.columns) {
    throw new RangeError(`fitLogistic: ${target.targets.length} targets for ${n} rows x ${target.columns} columns`);
  }
  // 0/1 target of row i in output c (binary fits).
  const binaryTarget = (row: number, column: number): number => target.kind === 'binary-columns'
    ? target.targets[row * outputs + column]
    : (target.classOf[row] === 1 ? 1 : 0);

  const workspace = options.workspace ?? sharedWorkspace();
  // ZR holds the decision values Z^T = W X^T (outputs x n: W as the short side of the
  // product wastes no padded tile), then, in place, the residuals dloss/dz.
  const [X, XT, W, ZR, G] = workspace.layout([
    { rows: n, columns: d }, { rows: d, columns: n }, { rows: outputs, columns: d },
    { rows: outputs, columns: n }, { rows: outputs, columns: d },
  ]);
  loadRows(X, x.embeddings, d, x.rows, true);
  for (let row = 0; row < n; row++) {
    for (let k = 0; k < d; k++) XT.data[k * XT.stride + row] = X.data[row * X.stride + k];
  }
  const penalty = 1 / (C * n);
  const interceptAt = outputs * d;
  const z = new Float64Array(outputs);
  const zr = ZR.data;
  const zrStride = ZR.stride;

  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    for (let c = 0; c < outputs; c++) W.data.set(theta.subarray(c * d, (c + 1) * d), c * W.stride);
    workspace.multiplyTransposed(W, X, ZR);
    let loss = 0;
    for (let row = 0; row < n; row++) {
      for (let c = 0; c < outputs; c++) z[c] = zr[c * zrStride + row] + theta[interceptAt + c];
      if (multinomial) {
        let largest = -Infinity;
        for (let c = 0; c < outputs; c++) largest = Math.max(largest, z[c]);
        let total = 0;
        for (let c = 0; c < outputs; c++) {
          z[c] = Math.exp(z[c] - largest);
          total += z[c];
        }
        const label = (target as { classOf: Int32Array }).classOf[row];
        loss += largest + Math.log(total) - (zr[label * zrStride + row] + theta[interceptAt + label]);
        for (let c = 0; c < outputs; c++) zr[c * zrStride + row] = z[c] / total - (c === label ? 1 : 0);
      } else {
        for (let c = 0; c < outputs; c++) {
          const y = binaryTarget(row, c);
          loss += log1pExp(z[c]) - y * z[c];
          zr[c * zrStride + row] = sigmoid(z[c]) - y;
        }
      }
    }
    workspace.multiplyTransposed(ZR, XT, G);
    let squares = 0;
    for (let c = 0; c < outputs; c++) {
      let interceptGradient = 0;
      for (let row = 0; row < n; row++) interceptGradient += zr[c * zrStride + row];
      gradient[interceptAt + c] = interceptGradient / n;
      for (let k = 0; k < d; k++) {
        const weight = theta[c * d + k];
        squares += weight * weight;
        gradient[c * d + k] = G.data[c * G.stride + k] / n + penalty * weight;
      }
    }
    return loss / n + 0.5 * penalty * squares;
  };

  const result = minimize(objective, new Float64Array(outputs * (d + 1)), {
    gradientTolerance: options.gradientTolerance ?? DEFAULT_GRADIENT_TOLERANCE,
    maxIterations: options.maxIterations,
    reductionTolerance: REDUCTION_TOLERANCE,
  });
  return {
    kind: multinomial ? 'multinomial' : 'binary-columns',
    outputs,
    dimension: d,
    weights: result.x.slice(0, interceptAt),
    intercepts: result.x.slice(interceptAt),
    C,
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
    reason: result.reason,
    gradientMax: result.gradientMax,
  };
}

/** [rows, outputs] decision values x W^T + b of the (unit-normalised) rows. */
export function decisionFunction(model: LogisticModel, x: EmbeddingRows, workspace: Float64Workspace = sharedWorkspace()): Float64Array {
  const n = x.rows.length;
  const d = model.dimension;
  if (x.dimension !== d) throw new RangeError(`decisionFunction: embeddings of ${x.dimension} for a model of ${d}`);
  const out = new Float64Array(n * model.outputs);
  const chunk = Math.min(SCORE_CHUNK, Math.max(n, 1));
  const [T, W, Z] = workspace.layout([{ rows: chunk, columns: d }, { rows: model.outputs, columns: d }, { rows: model.outputs, columns: chunk }]);
  for (let c = 0; c < model.outputs; c++) W.data.set(model.weights.subarray(c * d, (c + 1) * d), c * W.stride);
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    loadRows(T, x.embeddings, d, Array.prototype.slice.call(x.rows, start, start + count) as number[], true);
    workspace.multiplyTransposed(W, T, Z);
    for (let row = 0; row < count; row++) {
      for (let c = 0; c < model.outputs; c++) {
        out[(start + row) * model.outputs + c] = Z.data[c * Z.stride + row] + model.intercepts[c];
      }
    }
  }
  return out;
}
