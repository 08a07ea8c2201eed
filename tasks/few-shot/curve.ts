/**
 * The per-budget summary of a curve: mean, standard deviation and a 95% interval of
 * each metric over the draws of a budget, and the record's headline metrics (the means
 * at the largest budget, `all` being the largest).
 *
 * The interval is Student's t interval of the mean, mean +- t(0.975, n - 1) * s / sqrt(n),
 * with s the sample standard deviation (n - 1 in the denominator, also the `std`
 * reported); a budget with one draw (`all`) has std 0 and its mean as the interval.
 */
import type { Budget, BudgetKind } from './types.ts';

export interface CurvePointMetrics {
  budget: Budget;
  budgetKind: BudgetKind;
  metrics: Record<string, number | null>;
}

export interface MetricSummary {
  mean: number;
  std: number;
  ci95: [number, number];
}

export interface BudgetSummary {
  budget: Budget;
  budgetKind: BudgetKind;
  draws: number;
  /** null where some draw has no value (e.g. macro_mAP without positives). */
  metrics: Record<string, MetricSummary | null>;
}

/** t(0.975, df) for df = 1..30. */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Student's t quantile at 0.975: the table, then the first Cornish-Fisher term (within 1e-3 past 30). */
export function studentT975(degreesOfFreedom: number): number {
  if (degreesOfFreedom <= T_975.length) return T_975[degreesOfFreedom - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * degreesOfFreedom);
}

export function summarize(values: readonly number[]): MetricSummary {
  const n = values.length;
  if (n === 0) throw new RangeError('summarize: no values');
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, std: 0, ci95: [mean, mean] };
  const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1));
  const half = studentT975(n - 1) * std / Math.sqrt(n);
  return { mean, std, ci95: [mean - half, mean + half] };
}

const budgetOrder = (budget: Budget): number => (budget === 'all' ? Infinity : budget);

/** One summary per budget, budgets ascending (`all` last). */
export function summarizeCurve(points: readonly CurvePointMetrics[]): BudgetSummary[] {
  const byBudget = new Map<Budget, CurvePointMetrics[]>();
  for (const point of points) byBudget.set(point.budget, [...(byBudget.get(point.budget) ?? []), point]);
  return [...byBudget.entries()]
    .sort(([a], [b]) => budgetOrder(a) - budgetOrder(b))
    .map(([budget, group]) => {
      const keys = [...new Set(group.flatMap((point) => Object.keys(point.metrics)))];
      const metrics = Object.fromEntries(keys.map((key) => {
        const values = group.map((point) => point.metrics[key]);
        return [key, values.every((value): value is number => typeof value === 'number') ? summarize(values) : null];
      }));
      return { budget, budgetKind: group[0].budgetKind, draws: group.length, metrics };
    });
}

/** The record's `metrics`: the mean over draws at the largest budget. */
export function headlineMetrics(summaries: readonly BudgetSummary[]): Record<string, number | null> {
  const largest = summaries.at(-1);
  if (largest === undefined) return {};
  return Object.fromEntries(Object.entries(largest.metrics).map(([key, summary]) => [key, summary?.mean ?? null]));
}
