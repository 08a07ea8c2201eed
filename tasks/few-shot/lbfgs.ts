/**
 * L-BFGS (Nocedal & Wright, "Numerical Optimization", 2nd ed., algorithms 7.4 and 7.5)
 * with a strong-Wolfe line search (algorithms 3.5 and 3.6), for smooth unconstrained
 * minimisation in float64. The stopping rules are SciPy's L-BFGS-B ones, which
 * scikit-learn's `LogisticRegression(solver="lbfgs")` relies on:
 *
 * 1. converged: the largest gradient component is <= `gradientTolerance` (scipy `gtol`,
 *    sklearn's `tol`);
 * 2. converged: the relative reduction of f in one step, (f_old - f) / max(|f_old|, |f|, 1),
 *    is <= `reductionTolerance` (scipy `ftol`, 64 machine epsilons in sklearn): the
 *    objective cannot get measurably lower;
 * 3. stopped: `maxIterations` steps, or the line search finds no lower point (at the
 *    limit of float64 precision), reported as not converged.
 *
 * Same defaults as SciPy where it has one: 10 correction pairs; the first step has
 * length 1 / |g|, later steps start at 1; at most 50 function evaluations per line
 * search (sklearn's `maxls`).
 */

/** Returns f(x) and writes the gradient at x into `gradient`. Must not keep `x`. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  gradientTolerance: number;
  reductionTolerance?: number;
  maxIterations?: number;
  /** Correction pairs kept (SciPy's `maxcor`). */
  memory?: number;
  maxLineSearchEvaluations?: number;
}

export type StopReason = 'gradient' | 'reduction' | 'max-iterations' | 'line-search';

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  /** Largest absolute gradient component at x. */
  gradientMax: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  reason: StopReason;
}

const SUFFICIENT_DECREASE = 1e-4; // c1
const CURVATURE = 0.9; // c2, the usual value for quasi-Newton methods
const EPSILON = 2 ** -52;

const dot = (a: Float64Array, b: Float64Array): number => {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index] * b[index];
  return sum;
};
const maxAbs = (a: Float64Array): number => {
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs(a[index]));
  return largest;
};

/** Minimiser of the cubic through (a, fa, ga) and (b, fb, gb), kept inside the middle 80% of [a, b]. */
function interpolate(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const low = Math.min(a, b);
  const high = Math.max(a, b);
  const margin = 0.1 * (high - low);
  const d1 = ga + gb - 3 * (fa - fb) / (a - b);
  const square = d1 * d1 - ga * gb;
  let point = NaN;
  if (square >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(square);
    point = b - (b - a) * (gb + d2 - d1) / (gb - ga + 2 * d2);
  }
  if (!Number.isFinite(point) || point < low + margin || point > high - margin) point = (low + high) / 2;
  return point;
}

interface Trial {
  step: number;
  value: number;
  slope: number;
}

/**
 * Strong-Wolfe line search along `direction` from x (value f0, slope g0 < 0). On
 * success `xNew`/`gradientNew` hold the accepted point; returns undefined when no step
 * within `maxEvaluations` satisfies the conditions.
 */
function lineSearch(
  objective: Objective, x: Float64Array, f0: number, slope0: number, direction: Float64Array, firstStep: number,
  xNew: Float64Array, gradientNew: Float64Array, maxEvaluations: number, count: { evaluations: number },
): Trial | undefined {
  let used = 0;
  let lastEvaluated = NaN;
  const evaluate = (step: number): Trial => {
    lastEvaluated = step;
    for (let index = 0; index < x.length; index++) xNew[index] = x[index] + step * direction[index];
    const value = objective(xNew, gradientNew);
    used++;
    count.evaluations++;
    return { step, value, slope: dot(gradientNew, direction) };
  };
  const armijo = (trial: Trial): boolean => trial.value <= f0 + SUFFICIENT_DECREASE * trial.step * slope0;
  const curvature = (trial: Trial): boolean => Math.abs(trial.slope) <= -CURVATURE * slope0;

  let previous: Trial = { step: 0, value: f0, slope: slope0 };
  let step = firstStep;
  let low: Trial;
  let high: Trial;
  for (;;) {
    const trial = evaluate(step);
    if (!Number.isFinite(trial.value) || !armijo(trial) || (used > 1 && trial.value >= previous.value)) {
      low = previous;
      high = trial;
      break;
    }
    if (curvature(trial)) return trial;
    if (trial.slope >= 0) {
      low = trial;
      high = previous;
      break;
    }
    if (used >= maxEvaluations) return trial; // sufficient decrease holds: accept it
    previous = trial;
    step *= 4;
  }
  // Zoom: `low` satisfies sufficient decrease and is the best so far; the minimum lies between low and high.
  while (used < maxEvaluations) {
    if (Math.abs(high.step - low.step) <= EPSILON * Math.max(low.step, high.step)) break;
    const step = Number.isFinite(high.value)
      ? interpolate(low.step, low.value, low.slope, high.step, high.value, high.slope)
      : (low.step + high.step) / 2;
    const trial = evaluate(step);
    if (!Number.isFinite(trial.value) || !armijo(trial) || trial.value >= low.value) {
      high = trial;
    } else {
      if (curvature(trial)) return trial;
      if (trial.slope * (high.step - low.step) >= 0) high = low;
      low = trial;
    }
  }
  if (low.step === 0) return undefined;
  if (low.step !== lastEvaluated) evaluate(low.step); // leave the best point in xNew / gradientNew
  return low;
}

export function minimize(objective: Objective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const size = start.length;
  const memory = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 15000;
  const reductionTolerance = options.reductionTolerance ?? 64 * EPSILON;
  const maxLineSearch = options.maxLineSearchEvaluations ?? 50;
  const count = { evaluations: 0 };

  let x = Float64Array.from(start);
  let gradient = new Float64Array(size);
  let value = objective(x, gradient);
  count.evaluations++;
  let xNew = new Float64Array(size);
  let gradientNew = new Float64Array(size);
  const direction = new Float64Array(size);
  const steps: Float64Array[] = [];
  const changes: Float64Array[] = [];
  const rhos: number[] = [];
  const alphas = new Float64Array(memory);

  const finish = (iterations: number, reason: StopReason): LbfgsResult => ({
    x, value, gradientMax: maxAbs(gradient), iterations, evaluations: count.evaluations,
    converged: reason === 'gradient' || reason === 'reduction', reason,
  });

  if (!Number.isFinite(value)) throw new RangeError('minimize: the objective is not finite at the start');
  for (let iteration = 0; ; iteration++) {
    if (maxAbs(gradient) <= options.gradientTolerance) return finish(iteration, 'gradient');
    if (iteration >= maxIterations) return finish(iteration, 'max-iterations');

    // Two-loop recursion: direction = -H g, H the L-BFGS inverse Hessian with H0 = gamma I.
    for (let index = 0; index < size; index++) direction[index] = -gradient[index];
    for (let pair = steps.length - 1; pair >= 0; pair--) {
      alphas[pair] = rhos[pair] * dot(steps[pair], direction);
      const change = changes[pair];
      for (let index = 0; index < size; index++) direction[index] -= alphas[pair] * change[index];
    }
    if (steps.length > 0) {
      const last = steps.length - 1;
      const gamma = dot(steps[last], changes[last]) / dot(changes[last], changes[last]);
      for (let index = 0; index < size; index++) direction[index] *= gamma;
    }
    for (let pair = 0; pair < steps.length; pair++) {
      const beta = rhos[pair] * dot(changes[pair], direction);
      const step = steps[pair];
      for (let index = 0; index < size; index++) direction[index] += (alphas[pair] - beta) * step[index];
    }
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (rounding in the history): restart from steepest descent.
      steps.length = 0;
      changes.length = 0;
      rhos.length = 0;
      for (let index = 0; index < size; index++) direction[index] = -gradient[index];
      slope = dot(gradient, direction);
    }
    const firstStep = steps.length === 0 ? 1 / Math.sqrt(dot(direction, direction)) : 1;
    const accepted = lineSearch(objective, x, value, slope, direction, firstStep, xNew, gradientNew, maxLineSearch, count);
    if (accepted === undefined) {
      if (steps.length === 0) return finish(iteration, 'line-search');
      steps.length = 0; // retry once from steepest descent before giving up
      changes.length = 0;
      rhos.length = 0;
      iteration--;
      continue;
    }

    const step = new Float64Array(size);
    const change = new Float64Array(size);
    for (let index = 0; index < size; index++) {
      step[index] = xNew[index] - x[index];
      change[index] = gradientNew[index] - gradient[index];
    }
    const curvature = dot(step, change);
    if (curvature > EPSILON * dot(change, change)) {
      if (steps.length === memory) {
        steps.shift();
        changes.shift();
        rhos.shift();
      }
      steps.push(step);
      changes.push(change);
      rhos.push(1 / curvature);
    }
    const previousValue = value;
    [x, xNew] = [xNew, x];
    [gradient, gradientNew] = [gradientNew, gradient];
    value = accepted.value;
    const reduction = (previousValue - value) / Math.max(Math.abs(previousValue), Math.abs(value), 1);
    if (reduction <= reductionTolerance) return finish(iteration + 1, 'reduction');
  }
}
