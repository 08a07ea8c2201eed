/**
 * The few-shot evaluation task (issue 13): probes fitted on seeded draws of labelled
 * training images, scored on the test images, one record per probe.
 *
 * 1. plan (plan.ts): split, budgets, draws; the test images, the union of the draws'
 *    training images and the val images are all that is encoded;
 * 2. per model: each probe's curve (probe.ts: one result per budget x seed), its
 *    per-budget summary (curve.ts) and the record's metrics (the means at the largest
 *    budget);
 * 3. the zero-shot level on the same test images (the model's prompts, the run's
 *    template set), in the probes' metrics, so a report can draw it beside the curve.
 */
import { ErrorCode, UserError } from '../../core/errors.ts';
import { argmaxRows, multiLabelPredictionMetrics, multiLabelPredictions, singleLabelPredictionMetrics, type PerClass } from '../../metrics/index.ts';
import type { EvaluationTask, TaskImages, TaskInput, TaskOptions, TaskOutput, TaskPlan } from '../task.ts';
import { buildClassifier, zeroShotLogits } from '../zero-shot/classifier.ts';
import { targetsOf } from '../zero-shot/index.ts';
import { headlineMetrics, summarizeCurve } from './curve.ts';
import { perClassOfDraws } from './per-class.ts';
import { type FewShotPlan, planFewShot } from './plan.ts';
import { type CurveDraw, type ProbeResult, runCurve } from './probe.ts';
import type { FewShotSettings, ProbeName } from './types.ts';

/** The rows of the test images and of each draw (images skipped under --skip-invalid left out, and said). */
function rowsOfPlan(plan: FewShotPlan, input: TaskInput): { testRows: Int32Array; valRows?: Int32Array; draws: CurveDraw[]; notes: string[] } {
  const [test, train, val] = input.rows;
  const notes: string[] = [];
  const testRows = test.filter((row) => row >= 0);
  if (testRows.length < test.length) notes.push(`${test.length - testRows.length} test image(s) skipped (unreadable)`);
  if (testRows.length === 0) throw new UserError(ErrorCode.imageInvalid, `${input.dataset}: no readable test image left`);
  const rowOfTrain = new Int32Array(plan.trainSet.length).fill(-1);
  plan.neededTrain.forEach((index, position) => { rowOfTrain[index] = train[position]; });
  let lost = 0;
  const draws = plan.draws.map((draw) => {
    const rows = Array.from(draw.trainIndices, (index) => rowOfTrain[index]);
    const kept = Int32Array.from(rows.filter((row) => row >= 0));
    lost += rows.length - kept.length;
    if (kept.length === 0) throw new UserError(ErrorCode.imageInvalid, `${input.dataset}: every training image of budget ${draw.budget}, seed ${draw.seed} is unreadable`);
    return { trainRows: kept, seed: draw.seed };
  });
  if (lost > 0) notes.push(`${lost} drawn training image(s) skipped (unreadable): those draws are smaller`);
  const valRows = val?.filter((row) => row >= 0);
  return { testRows, valRows: valRows && valRows.length > 0 ? valRows : undefined, draws, notes };
}

/** The embeddings of some rows, contiguous. */
function gatherRows(embeddings: Float32Array, dimension: number, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * dimension);
  for (let index = 0; index < rows.length; index++) out.set(embeddings.subarray(rows[index] * dimension, (rows[index] + 1) * dimension), index * dimension);
  return out;
}

/** Step 3: the zero-shot head on the test images, scored with the probes' metrics. */
async function zeroShotOnTest(input: TaskInput, testRows: Int32Array, dimension: number): Promise<Record<string, unknown>> {
  const classes = input.classes.length;
  const count = testRows.length;
  const classifier = await buildClassifier(input.encoder, input.classes, input.templates.templates);
  const logits = zeroShotLogits(gatherRows(input.embeddings, dimension, testRows), count, classifier);
  const targets = targetsOf({ labelKind: input.labelKind, classes: input.classes, labels: Array.from(testRows, (row) => input.labels[row]) });
  let metrics: Record<string, number | null>;
  if (input.labelKind === 'single-label') {
    metrics = { ...singleLabelPredictionMetrics(argmaxRows(logits, count, classes), targets as Int32Array, classes) };
  } else {
    const result = multiLabelPredictionMetrics(multiLabelPredictions(logits, count, classes), Float64Array.from(logits), targets as Uint8Array, count, classes);
    metrics = { macro_mAP: result.macro_mAP, micro_f1: result.micro_f1 };
  }
  return { templates: input.templates.name, n_images: count, metrics };
}

/** Step 2 for one probe: the record's metrics, per-class values and fields. */
function probeOutput(plan: FewShotPlan, settings: FewShotSettings, input: TaskInput, probe: ProbeName, results: ProbeResult[], testRows: Int32Array, trainRows: readonly CurveDraw[], shared: Record<string, unknown>): TaskOutput {
  const classCount = input.classes.length;
  const curve = plan.draws.map((draw, index) => {
    const result = results[index];
    return {
      budget: draw.budget,
      budget_kind: draw.budgetKind,
      seed: draw.seed,
      train_ids: Array.from(trainRows[index].trainRows, (row) => input.ids[row]),
      C: result.C ?? null,
      metrics: result.metrics,
      ...(draw.capped ? { capped: true } : {}),
      ...(result.cSelection && result.cSelection.source !== 'fixed' ? { C_source: result.cSelection.source } : {}),
      ...(result.neighbours !== undefined ? { neighbours: result.neighbours } : {}),
      ...(result.excludedClasses.length > 0 ? { excluded_classes: result.excludedClasses } : {}),
      ...(result.notes.length > 0 ? { notes: result.notes } : {}),
      seconds: result.seconds,
    };
  });
  const summaries = summarizeCurve(plan.draws.map((draw, index) => ({ budget: draw.budget, budgetKind: draw.budgetKind, metrics: results[index].metrics })));
  // The curve's last budget is the largest (summarizeCurve sorts them).
  const largest = summaries.at(-1)?.budget;
  const atLargest = plan.draws.flatMap((draw, index) => (draw.budget === largest ? [results[index]] : []));
  const perClass: PerClass[] = perClassOfDraws(atLargest, input, testRows);
  const summary = summaries.map((entry) => {
    const sizes = plan.draws.flatMap((draw, index) => (draw.budget === entry.budget ? [trainRows[index].trainRows.length] : []));
    return {
      budget: entry.budget,
      budget_kind: entry.budgetKind,
      draws: entry.draws,
      labels_per_class: sizes.reduce((sum, size) => sum + size, 0) / sizes.length / classCount,
      metrics: entry.metrics,
    };
  });
  return {
    metrics: headlineMetrics(summaries),
    perClass,
    imageIds: Array.from(testRows, (row) => input.ids[row]),
    fields: {
      ...shared,
      probe,
      ...(probe === 'logreg' ? { C: settings.C } : {}),
      curve,
      curve_summary: summary,
      probe_seconds: results.reduce((sum, result) => sum + result.seconds, 0),
    },
  };
}

async function runPlan(plan: FewShotPlan, settings: FewShotSettings, input: TaskInput): Promise<TaskOutput[]> {
  const dimension = input.labels.length === 0 ? 0 : input.embeddings.length / input.labels.length;
  const { testRows, valRows, draws, notes } = rowsOfPlan(plan, input);
  const shared = {
    evaluation: 'few-shot',
    split: 'test',
    splits: plan.split,
    budget_kind: plan.budgetKind,
    budgets: plan.budgets,
    seeds: settings.seeds,
    zero_shot_on_test: await zeroShotOnTest(input, testRows, dimension),
    ...(plan.notes.length + notes.length > 0 ? { notes: [...plan.notes, ...notes] } : {}),
  };
  return settings.probes.map((probe) => {
    const results = runCurve({
      embeddings: input.embeddings, dimension, labels: input.labels, classes: input.classes, labelKind: input.labelKind,
      testRows, valRows, draws, probe, C: settings.C,
    });
    return probeOutput(plan, settings, input, probe, results, testRows, draws, shared);
  });
}

export const fewShot: EvaluationTask = {
  name: 'few-shot',
  aliases: ['linear_probe', 'fewshot', 'few_shot'],
  description: 'Few-shot probes (logistic regression, cosine kNN) on frozen image embeddings: label-efficiency curves over seeded draws.',
  usesTemplates: false,
  usesSplits: () => true,
  plan(images: TaskImages, options: TaskOptions): TaskPlan {
    const plan = planFewShot(images, options.fewShot);
    return { requests: plan.requests, run: (input) => runPlan(plan, options.fewShot, input) };
  },
};
