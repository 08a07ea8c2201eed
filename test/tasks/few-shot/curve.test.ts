import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { headlineMetrics, studentT975, summarize, summarizeCurve } from '../../../tasks/few-shot/curve.ts';

test('summarize: mean, sample std, t interval (scipy.stats.t.ppf(0.975, 2) = 4.3027)', () => {
  const summary = summarize([0.5, 0.6, 0.7]);
  assert.ok(Math.abs(summary.mean - 0.6) < 1e-15);
  assert.ok(Math.abs(summary.std - 0.1) < 1e-15);
  assert.ok(Math.abs(summary.ci95[0] - (0.6 - 4.303 * 0.1 / Math.sqrt(3))) < 1e-12);
  assert.equal(summarize([0.4]), { mean: 0.4, std: 0, ci95: [0.4, 0.4] });
  assert.ok(Math.abs(studentT975(40) - 2.021) < 2e-3);
  assert.ok(Math.abs(studentT975(200) - 1.972) < 1e-3);
});

test('summarizeCurve groups by budget (all last); headline = means at the largest budget', () => {
  const points = [
    { budget: 'all' as const, budgetKind: 'per-class' as const, metrics: { acc1: 0.9, macro_f1: 0.8 } },
    { budget: 5, budgetKind: 'per-class' as const, metrics: { acc1: 0.5, macro_f1: 0.4 } },
    { budget: 1, budgetKind: 'per-class' as const, metrics: { acc1: 0.2, macro_f1: null } },
    { budget: 5, budgetKind: 'per-class' as const, metrics: { acc1: 0.7, macro_f1: 0.6 } },
  ];
  const summaries = summarizeCurve(points);
  assert.equal(summaries.map((entry) => [entry.budget, entry.draws]), [[1, 1], [5, 2], ['all', 1]]);
  assert.is(summaries[0].metrics.macro_f1, null);
  assert.ok(Math.abs(summaries[1].metrics.acc1!.mean - 0.6) < 1e-15);
  assert.equal(headlineMetrics(summaries), { acc1: 0.9, macro_f1: 0.8 });
  assert.equal(headlineMetrics(summarizeCurve(points.slice(1))), { acc1: 0.6, macro_f1: 0.5 });
});

test.run();
