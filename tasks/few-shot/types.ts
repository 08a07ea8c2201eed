/**
 * The few-shot task's vocabulary: probes, budgets and the draws that fix which
 * training images a probe sees.
 */
import type { Task } from '../../datasets/types.ts';

export type LabelKind = Task;

export const PROBES = ['logreg', 'knn'] as const;
export type ProbeName = (typeof PROBES)[number];
export const isProbeName = (value: string): value is ProbeName => (PROBES as readonly string[]).includes(value);

/**
 * `per-class`: that many labelled images of every class (stratified, `--shots`);
 * `total`: that many labelled images in all, drawn at random (`--labels`).
 */
export const BUDGET_KINDS = ['per-class', 'total'] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

/** A number of labelled images, or the whole training split. */
export type Budget = number | 'all';

/** The training images of one point of a curve. */
export interface Draw {
  budget: Budget;
  budgetKind: BudgetKind;
  seed: number;
  /** Indices into the training pool, ascending (the pool's listing order). */
  trainIndices: Int32Array;
  /**
   * True when the budget asked for more images than there are (of some class, or in
   * all): the draw then holds every image there is.
   */
  capped: boolean;
}

/** A run's few-shot settings (flags: --shots, --labels, --seeds, --probe, --probe-c; defaults in cli/defaults.ts). */
export interface FewShotSettings {
  /** `--shots`: labelled images per class. */
  shots: readonly Budget[];
  /** `--labels`: labelled images in total (always so for multi-label datasets). */
  labels: readonly Budget[];
  /** Single-label datasets: `per-class` budgets (--shots, the default) or `total` ones (--labels given alone). */
  singleLabelBudget: BudgetKind;
  /** Draws per budget: seeds 0..seeds-1. */
  seeds: number;
  probes: readonly ProbeName[];
  /** logreg's C, or `auto` (chosen per draw, select-c.ts). */
  C: number | 'auto';
  /** The most `val` images C is chosen on; a larger val split gives a seeded sample (BigEarthNet's has 123,723). */
  valLimit: number;
}
