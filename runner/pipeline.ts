/**
 * The evaluate pipeline, for one run of already loaded models and listed datasets:
 *
 *  1. per dataset, group the models whose preprocessing (their spec, an input of the
 *     run) gives identical inputs, so each group decodes the images once;
 *  2. per group, the embeddings: read from the store, and the missing ones streamed
 *     through the data path, each batch encoded by every model of the group and
 *     stored as it completes (embeddings/cached-encode.ts); a --shard run stops here;
 *  3. per model, evaluation task and template set, the task turns the embeddings into
 *     metrics (tasks/: embeddings and class names in, metrics out; the class
 *     embeddings come through the store's text cache, runner/class-heads.ts);
 *  4. per record, the 95% bootstrap interval of every headline metric, from the
 *     task's logits (metrics/bootstrap.ts; the dataset's name picks the resample
 *     stream, so every model on a dataset gets the same resamples);
 *  5. one immutable record per (model, dataset, task, template set), written with its
 *     CSV (and logits) so that all appear together or not at all (runner/record.ts).
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
import type { EvaluationTask, TaskOutput } from '../tasks/index.ts';
import type { TemplateSet } from '../templates/index.ts';
import type { EvaluationModel } from './models.ts';
import { classEmbeddings } from './class-heads.ts';
import { buildRecord, type RecordInput } from './record.ts';

export interface PipelineOptions {
  models: readonly EvaluationModel[];
  datasets: readonly DatasetListing[];
  tasks: readonly EvaluationTask[];
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
  if (options.bootstrap.resamples === 0) return undefined;
  const started = performance.now();
  const statistic = recordStatistic(listing.task, output.logits, rows, listing.classes.length, output.targets);
  const { ci, method } = bootstrapIntervals(statistic, { ...options.bootstrap, stream: streamOf(listing.dataset) });
  return { ci, method, seconds: (performance.now() - started) / 1000 };
}

/** Steps 2-5 for one dataset and one preprocessing group. */
async function runGroup(options: PipelineOptions, listing: DatasetListing, models: readonly EvaluationModel[], spec: PreprocessSpec): Promise<EvaluationOutcome[]> {
  const skipped: Skipped = [...listing.skipped];
  const label = `${listing.dataset} x ${models.map((model) => (model.condition ? `${model.name} [${model.condition.label}]` : model.name)).join(', ')}`;
  let progress: Progress | undefined;
  let reported = 0;
  const encoded = await encodeWithStore({
    pool: options.pool,
    dataset: listing.dataset,
    spec,
    items: listing.items,
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
  const labels = encoded.kept.map((index) => listing.items[index].labels);
  const outcomes: EvaluationOutcome[] = [];
  for (const [index, model] of models.entries()) {
    for (const task of options.tasks) for (const templates of task.usesTemplates ? options.templates : options.templates.slice(0, 1)) {
      const started = performance.now();
      const output = await task.run({
        dataset: listing.dataset,
        labelKind: listing.task,
        classes: listing.classes,
        labels,
        embeddings: encoded.embeddings[index],
        encoder: model.encoder,
        templates,
        classEmbeddings: task.usesTemplates ? await classEmbeddings(model.encoder, listing.classes, templates, options.store?.dir, options.store?.onNote) : undefined,
      });
      const seconds = encoded.seconds + (performance.now() - started) / 1000;
      const confidence = confidenceIntervals(options, listing, output, labels.length);
      const record = buildRecord({
        model, listing, task, output, spec, skipped, seconds,
        modelSeconds: encoded.modelSeconds[index],
        templates,
        batchSize: options.batchSize,
        demo: options.demo,
        imageIds: options.saveLogits ? encoded.kept.map((item) => listing.items[item].id) : undefined,
        confidence,
        embeddings: { encoded: encoded.store[index].encoded, from_store: encoded.store[index].fromStore, store_files: encoded.store[index].files },
      });
      const written = writeRecord(options.savePath, options.runId, record, options.saveLogits
        ? { logits: { data: output.logits, shape: [labels.length, listing.classes.length] }, targets: { data: output.targets, shape: listing.task === 'multi-label' ? [labels.length, listing.classes.length] : [labels.length] } }
        : {});
      outcomes.push({ model: model.name, dataset: listing.dataset, task: task.name, record, written });
    }
  }
  return outcomes;
}

export async function runPipeline(options: PipelineOptions): Promise<EvaluationOutcome[]> {
  const outcomes: EvaluationOutcome[] = [];
  for (const listing of options.datasets) {
    // Step 1: models sharing a preprocessing key share one pass over the images.
    const groups = new Map<string, { spec: PreprocessSpec; models: EvaluationModel[] }>();
    for (const model of options.models) {
      const key = preprocessingKey(listing.dataset, model.spec);
      const group = groups.get(key) ?? { spec: model.spec, models: [] };
      group.models.push(model);
      groups.set(key, group);
    }
    for (const { spec, models } of groups.values()) {
      try {
        outcomes.push(...await runGroup(options, listing, models, spec));
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
