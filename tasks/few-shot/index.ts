/**
 * Few-shot probes on frozen image embeddings (issue 13): logistic regression and cosine
 * kNN fitted on seeded draws of labelled training images, scored on a test split.
 *
 * The runner reaches them through the evaluation task `fewShot` (task.ts): plan.ts
 * takes the split (`trainTestSplit` when there are no split files), the draws
 * (`planDraws`: budget x seed) and the images to encode; task.ts runs `runCurve` per probe
 * (predictions, scores, metrics, C chosen by select-c.ts for `auto`) and summarises the
 * curve (curve.ts: per-budget mean, std, 95% interval and the record's metrics).
 * Pure computation: no files, no models; embeddings in, numbers out. This module hands
 * on what the bench and the tests use directly.
 */
export { type Budget, type BudgetKind, type FewShotSettings, type ProbeName } from './types.ts';
export { effectiveBudgets } from './plan.ts';
export { planDraws, trainTestSplit } from './sampling.ts';
export { runCurve, runProbe, type ProbeResult } from './probe.ts';
