/**
 * Few-shot probes on frozen image embeddings (issue 13): logistic regression and cosine
 * kNN fitted on seeded draws of labelled training images, scored on a test split.
 *
 * The pieces, in the order a runner uses them:
 * 1. `trainTestSplit` (no split files) -> train / test indices of the listing;
 * 2. `planDraws` -> the draws (budget x seed) over the training split, and
 *    `neededIndices` -> the training images to embed (the union of the draws);
 * 3. `runCurve` -> per draw: predictions, scores, metrics, C (with `selectC` for `auto`);
 * 4. `summarizeCurve` / `headlineMetrics` -> per-budget mean, std, 95% interval, and the
 *    record's metrics.
 * Pure computation: no files, no models; embeddings in, numbers out. `fewShot` (task.ts)
 * is the evaluation task that wires them for the runner (plan.ts: split, budgets, what
 * to encode).
 */
export { type Budget, type BudgetKind, type FewShotSettings, type ProbeName } from './types.ts';
export { effectiveBudgets } from './plan.ts';
export { planDraws, trainTestSplit } from './sampling.ts';
export { runCurve, runProbe, type ProbeResult } from './probe.ts';
