/**
 * The evaluate pipeline, for one run of already loaded models and listed datasets:
 *
 *  1. per dataset, each task's plan: which images it needs (runner/images.ts: the
 *     listing, split files, images listed on demand); then group the models whose
 *     preprocessing (their spec, an input of the run) gives identical inputs, so each
 *     group decodes the images once;
 *  2. per group, the embeddings of the images some task needs: read from the store,
 *     and the missing ones streamed through the data path, each batch encoded by every
 *     model of the group and stored as it completes (embeddings/cached-encode.ts); a
 *     --shard run stops here;
 *  3. per model, evaluation task and template set, the task turns the embeddings of its
 *     images into one or more results (tasks/: embeddings and class names in, metrics
 *     out; class embeddings come through the store's text cache, runner/class-heads.ts);
 *  4. per record, the 95% bootstrap interval of every headline metric, from the
 *     task's logits (metrics/bootstrap.ts; the dataset's name picks the resample
 *     stream, so every model on a dataset gets the same resamples);
 *  5. one immutable record per result (model, dataset, task, template set, probe,
 *     condition), written with its CSV (and logits) so that all appear together or not
 *     at all (runner/record.ts).
 *
 * A dataset that fails (bad input) is reported in one line and nothing is written
 * for it; the other datasets still run and the run exits non-zero.
 */
import { ErrorCode, isUserError, UserError } from '../core/errors.ts';
import { createProgress, type Progress } from '../core/progress.ts';
import type { DatasetListing } from '../datasets/types.ts';
import { encodeWithStore, type StoreSettings } from '../embeddings/cached-encode.ts';
import { preprocessingKey } from '../preprocess/prepare.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import type { WorkerPool } from '../preprocess/stream.ts';
import { writeRecord, type ResultRecord, type WrittenRecord } from '../records/records.ts';
import { bootstrapIntervals, recordStatistic, streamOf } from '../metrics/index.ts';
import type { DatasetSplits } from '../datasets/splits.ts';
import type { EvaluationTask, TaskInput, TaskOptions, TaskOutput } from '../tasks/index.ts';
import type { TemplateSet } from '../templates/index.ts';
import { planDataset, type PlannedDataset } from './images.ts';
import type { EvaluationModel } from './models.ts';
import { classEmbeddings } from './class-heads.ts';
import { buildRecord, type RecordInput } from './record.ts';

export interface PipelineOptions {
  models: readonly EvaluationModel[];
  datasets: readonly DatasetListing[];
  tasks: readonly EvaluationTask[];
  /** The tasks' settings (zero-shot's split, few-shot's budgets and probes). */
  taskOptions: TaskOptions;
  /** A dataset's split files (its module's `splits`); absent: none. */
  splitsOf?: (listing: DatasetListing) => Promise<DatasetSplits>;
  /** Every template set: one record each per task that uses templates, on the same embeddings. */
  templates: readonly TemplateSet[];
  /** The embedding store; absent = --no-cache. With a shard, only embeddings are made. */
  store?: Omit<StoreSettings, 'dataset'>;
  batchSize: number;
  savePath: string;
  runId: string;
  saveLogits: boolean;
  /** Resamples (0 = no intervals) and seed of the records' bootstrap intervals. */
  bootstrap: { resamples: number; seed: number };
  skipInvalid: boolean;
  /** Worker threads of the data path (size 0 = in this thread). */
  pool: WorkerPool;
  demo: boolean;
  log: (line: string) => void;
  quiet?: boolean;
}

export interface EvaluationOutcome {
  model: string;
  dataset: string;
  task?: string;
  record?: ResultRecord;
  written?: WrittenRecord;
  error?: string;
}

type Skipped = { file: string; reason: string }[];

/** Step 4: a record's `ci` and `ci_method`, or nothing with --bootstrap 0. */
function confidenceIntervals(options: PipelineOptions, listing: DatasetListing, output: TaskOutput, rows: number): RecordInput['confidence'] {
  if (options.bootstrap.resamples === 0 || output.logits === undefined || output.targets === undefined) return undefined;
  const started = performance.now();
  const statistic = recordStatistic(listing.task, output.logits, rows, listing.classes.length, output.targets);
  const { ci, method } = bootstrapIntervals(statistic, { ...options.bootstrap, stream: streamOf(listing.dataset) });
  return { ci, method, seconds: (performance.now() - started) / 1000 };
}

/**
 * A task's share of the encoded rows: its items (ascending, encoded ones only) as a
 * matrix, and per request the row of each position. A task that asks for every encoded
 * item in order (zero-shot alone) gets the encoded matrix itself.
 */
function taskRows(planned: PlannedDataset, planIndex: number, rowOfItem: Int32Array, embeddings: Float32Array, size: number): Pick<TaskInput, 'labels' | 'embeddings' | 'ids' | 'rows'> {
  const itemsOf = planned.itemsOf[planIndex];
  const wanted = new Set<number>();
  for (const indices of itemsOf) for (const item of indices) if (item >= 0 && rowOfItem[item] >= 0) wanted.add(item);
  const items = [...wanted].sort((a, b) => a - b);
  const taskRowOf = new Map(items.map((item, row) => [item, row]));
  const whole = items.length * size === embeddings.length && items.every((item, row) => rowOfItem[item] === row);
  let matrix = embeddings;
  if (!whole) {
    matrix = new Float32Array(items.length * size);
    items.forEach((item, row) => matrix.set(embeddings.subarray(rowOfItem[item] * size, (rowOfItem[item] + 1) * size), row * size));
  }
  return {
    labels: items.map((item) => planned.items[item].labels),
    embeddings: matrix,
    ids: items.map((item) => planned.items[item].id),
    rows: itemsOf.map((indices) => Int32Array.from(indices, (item) => (item < 0 ? -1 : taskRowOf.get(item) ?? -1))),
  };
}

/** Steps 2-5 for one dataset and one preprocessing group. */
async function runGroup(options: PipelineOptions, listing: DatasetListing, planned: PlannedDataset, models: readonly EvaluationModel[], spec: PreprocessSpec): Promise<EvaluationOutcome[]> {
  const skipped: Skipped = [...listing.skipped, ...planned.skipped];
  const items = planned.encode.map((index) => planned.items[index]);
  const label = `${listing.dataset} x ${models.map((model) => (model.condition ? `${model.name} [${model.condition.label}]` : model.name)).join(', ')}`;
  let progress: Progress | undefined;
  let reported = 0;
  const encoded = await encodeWithStore({
    pool: options.pool,
    dataset: listing.dataset,
    spec,
    items,
    batchSize: options.batchSize,
    encoders: models.map((model) => model.encoder),
    store: options.store,
    skipInvalid: options.skipInvalid,
    onSkip: (entry) => {
      skipped.push({ file: entry.file, reason: entry.reason });
      options.log(`warning: skipped ${entry.reason}`);
    },
    onPlan: ({ total, cached, toEncode }) => {
      const share = options.store?.shard ? `shard ${options.store.shard.index}/${options.store.shard.count}, ` : '';
      if (toEncode > 0) progress = createProgress({ label: `${label} (${share}${cached} of ${total} cached, ${toEncode} encoded)`, total: toEncode, quiet: options.quiet });
      else if (!options.quiet) options.log(`${label} (${share}${cached} of ${total} cached, 0 encoded)`);
    },
    onProgress: (done) => {
      progress?.tick(done - reported);
      reported = done;
    },
  });
  progress?.done();
  // A shard only fills the store: the run without --shard scores.
  if (options.store?.shard) return [];
  if (encoded.kept.length === 0) throw new UserError(ErrorCode.imageInvalid, `${listing.root}: no readable image left after skipping ${skipped.length} unreadable one(s) (listed above); fix or replace the files`, listing.root);
  const rowOfItem = new Int32Array(planned.items.length).fill(-1);
  encoded.kept.forEach((index, row) => { rowOfItem[planned.encode[index]] = row; });
  const outcomes: EvaluationOutcome[] = [];
  for (const [index, model] of models.entries()) {
    for (const [planIndex, { task, plan }] of planned.plans.entries()) {
      // The task's rows do not depend on the template set: taken once per (model, task).
      const rows = taskRows(planned, planIndex, rowOfItem, encoded.embeddings[index], model.encoder.manifest.embeddingSize);
      for (const templates of task.usesTemplates ? options.templates : options.templates.slice(0, 1)) {
        const started = performance.now();
        const results = await plan.run({
          dataset: listing.dataset,
          labelKind: listing.task,
          classes: listing.classes,
          ...rows,
          encoder: model.encoder,
          templates,
          classEmbeddings: task.usesTemplates ? await classEmbeddings(model.encoder, listing.classes, templates, options.store?.dir, options.store?.onNote) : undefined,
        });
        const seconds = encoded.seconds + (performance.now() - started) / 1000;
        for (const output of results) {
          const confidence = confidenceIntervals(options, listing, output, output.imageIds.length);
          const saveLogits = options.saveLogits && output.logits !== undefined && output.targets !== undefined;
          const record = buildRecord({
            model, listing, task, output, spec, skipped, seconds,
            modelSeconds: encoded.modelSeconds[index],
            templates,
            batchSize: options.batchSize,
            demo: options.demo,
            // Ids go with the logits; a result without logits (a few-shot curve) always names its test images.
            imageIds: saveLogits || output.logits === undefined ? [...output.imageIds] : undefined,
            confidence,
            embeddings: { encoded: encoded.store[index].encoded, from_store: encoded.store[index].fromStore, store_files: encoded.store[index].files },
          });
          const count = output.imageIds.length;
          const written = writeRecord(options.savePath, options.runId, record, saveLogits
            ? { logits: { data: output.logits!, shape: [count, listing.classes.length] }, targets: { data: output.targets!, shape: listing.task === 'multi-label' ? [count, listing.classes.length] : [count] } }
            : {});
          outcomes.push({ model: model.name, dataset: listing.dataset, task: task.name, record, written });
        }
      }
    }
  }
  return outcomes;
}

export async function runPipeline(options: PipelineOptions): Promise<EvaluationOutcome[]> {
  const outcomes: EvaluationOutcome[] = [];
  for (const listing of options.datasets) {
    // Step 1: what the tasks need, then models sharing a preprocessing key share one pass over those images.
    let planned: PlannedDataset;
    try {
      planned = await planDataset(listing, { tasks: options.tasks, taskOptions: options.taskOptions, splitsOf: options.splitsOf, skipInvalid: options.skipInvalid });
    } catch (error) {
      if (!isUserError(error)) throw error;
      const message = `${listing.dataset}: ${error.message}`;
      options.log(`error: ${message}`);
      for (const model of options.models) outcomes.push({ model: model.name, dataset: listing.dataset, error: message });
      continue;
    }
    const groups = new Map<string, { spec: PreprocessSpec; models: EvaluationModel[] }>();
    for (const model of options.models) {
      const key = preprocessingKey(listing.dataset, model.spec);
      const group = groups.get(key) ?? { spec: model.spec, models: [] };
      group.models.push(model);
      groups.set(key, group);
    }
    for (const { spec, models } of groups.values()) {
      try {
        outcomes.push(...await runGroup(options, listing, planned, models, spec));
      } catch (error) {
        if (!isUserError(error)) throw error;
        const message = `${listing.dataset}: ${error.message}`;
        options.log(`error: ${message}`);
        for (const model of models) outcomes.push({ model: model.name, dataset: listing.dataset, error: message });
      }
    }
  }
  return outcomes;
}
