import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { minimize } from '../../../tasks/few-shot/lbfgs.ts';

test('Rosenbrock: reaches (1, 1) from (-1.2, 1) with a gradient below the tolerance', () => {
  const result = minimize((x, gradient) => {
    const [a, b] = x;
    gradient[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    gradient[1] = 200 * (b - a * a);
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
  }, Float64Array.from([-1.2, 1]), { gradientTolerance: 1e-10, reductionTolerance: 0 });
  assert.ok(result.converged, result.reason);
  assert.is(result.reason, 'gradient');
  assert.ok(Math.abs(result.x[0] - 1) < 1e-9 && Math.abs(result.x[1] - 1) < 1e-9, `${result.x.join(', ')}`);
  assert.ok(result.iterations < 100, `${result.iterations} iterations`);
});

test('an ill-conditioned quadratic in 200 dimensions: the exact minimiser', () => {
  const size = 200;
  const scales = Float64Array.from({ length: size }, (_, index) => 10 ** (4 * index / (size - 1)));
  const target = Float64Array.from({ length: size }, (_, index) => Math.sin(index));
  const result = minimize((x, gradient) => {
    let value = 0;
    for (let index = 0; index < size; index++) {
      const delta = x[index] - target[index];
      value += 0.5 * scales[index] * delta * delta;
      gradient[index] = scales[index] * delta;
    }
    return value;
  }, new Float64Array(size), { gradientTolerance: 1e-8, reductionTolerance: 0 });
  assert.is(result.reason, 'gradient');
  assert.ok(result.x.every((value, index) => Math.abs(value - target[index]) < 1e-8));
  // scipy's relative-reduction rule (64 epsilon) stops earlier, where f no longer moves.
  const early = minimize((x, gradient) => {
    let value = 0;
    for (let index = 0; index < size; index++) {
      const delta = x[index] - target[index];
      value += 0.5 * scales[index] * delta * delta;
      gradient[index] = scales[index] * delta;
    }
    return value;
  }, new Float64Array(size), { gradientTolerance: 1e-8, reductionTolerance: 64 * 2 ** -52 });
  assert.is(early.reason, 'reduction');
  assert.ok(early.value < 1e-9);
});

test('stops at maxIterations and says so', () => {
  const result = minimize((x, gradient) => {
    gradient[0] = 4 * x[0] ** 3;
    return x[0] ** 4;
  }, Float64Array.from([3]), { gradientTolerance: 0, reductionTolerance: 0, maxIterations: 5 });
  assert.is(result.reason, 'max-iterations');
  assert.is(result.converged, false);
  assert.is(result.iterations, 5);
});

test.run();
