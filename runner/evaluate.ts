/**
 * An evaluate request, from names to records:
 *
 *  1. the template sets, the evaluation tasks, the models (runner/models.ts) and the
 *     datasets (listed once each; the demo suite generated on first use);
 *  2. the pipeline (runner/pipeline.ts): the store, encode what it lacks, tasks,
 *     records (a --shard run only fills the store);
 *  3. the summary the CLI prints (the CLI also builds the report).
 *
 * Kept apart from the CLI so that tests and the benchmark drive the same path. Every
 * field is required: the defaults live in cli/defaults.ts.
 */
import { resolve } from 'node:path';
import type { Device } from '../adapters/types.ts';
import { DEMO_MODEL_NAMES } from '../adapters/demo-models.ts';
import { ensureDemoSuite } from '../datasets/demo/generate.ts';
import { DATASETS, datasetRoot, resolveDataset } from '../datasets/registry.ts';
import type { DatasetListing } from '../datasets/types.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import { autoWorkerCount, batchesInFlight, checkBatchMemory, WorkerPool } from '../preprocess/stream.ts';
import { newRunId, sweepRecordLeftovers, type ResultRecord } from '../records/records.ts';
import { ErrorCode, isUserError, UserError } from '../core/errors.ts';
import { checkOutputFolder } from '../core/output-paths.ts';
import { TASKS, type TaskOptions } from '../tasks/index.ts';
import type { FewShotSettings } from '../tasks/few-shot/types.ts';
import { checkDistinctPrompts } from '../tasks/zero-shot/classifier.ts';
import { loadTemplateSet } from '../templates/index.ts';
import { disposeModels, loadModels, withConditions } from './models.ts';
import type { ConditionRequest } from '../preprocess/conditions.ts';
import type { FillPolicy } from '../preprocess/bands.ts';
import { limitPerClass } from '../datasets/subset.ts';
import { runPipeline, type EvaluationOutcome } from './pipeline.ts';
import type { StoreSettings } from '../embeddings/cached-encode.ts';

export interface EvaluationRequest {
  models: string[];
  /** Template sets (names or JSON files): one record each, on the same image embeddings. */
  templates: string | string[];
  /** Evaluation tasks by name or alias (tasks/index.ts). */
  tasks: string[];
  /** Zero-shot scores every listed image (`all`) or the test split file's (`test`). */
  split: TaskOptions['split'];
  /** Few-shot budgets, draws, probes and C. */
  fewShot: FewShotSettings;
  datasets: string[];
  datasetDir: string;
  modelsDir: string;
  checkpoint?: string;
  device: Device;
  batchSize: number;
  /** Preprocessing threads, or 'auto' (none for two batches or less, else every core). */
  workers: number | 'auto';
  /** Images larger than this many pixels (width x height) are refused before decoding. */
  maxImagePixels: number;
  savePath: string;
  /** Write logits, targets and image ids beside every record. */
  saveLogits: boolean;
  /** Bootstrap intervals of every record: resamples (0 = none) and seed. */
  bootstrap: { resamples: number; seed: number };
  skipInvalid: boolean;
  allowExport: boolean;
  demo: boolean;
  quiet?: boolean;
  /** Replaces a model's preprocessing spec (by registry name). */
  specs?: Record<string, PreprocessSpec>;
  /** Band-robustness conditions, each run beside the full-band baseline (--drop-bands, --keep-bands, --band-sweep). */
  conditions?: ConditionRequest[];
  /** How a condition's missing bands are filled (--fill). */
  fill?: FillPolicy;
  /** Evaluate a seeded subset: this many images per class (--limit-per-class). */
  limitPerClass?: number;
  /**
   * The embedding store (--cache-dir; absent = --no-cache): cacheOnly forbids encoding,
   * a shard encodes its share of every dataset into the store and writes no records;
   * chunkRows (a multiple of batchSize) sets the rows per chunk file, for tests.
   */
  store?: Pick<StoreSettings, 'dir' | 'cacheOnly' | 'shard' | 'chunkRows'>;
}

export interface EvaluationSummary {
  runId: string;
  demo: boolean;
  savePath: string;
  results: { model: string; dataset: string; task: string; evaluation: string; probe?: string; templates: string; condition?: unknown; n_images: number; metrics: Record<string, number | null>; ci?: ResultRecord['ci']; record: string; seconds: number }[];
  errors: { model: string; dataset: string; error: string }[];
  failed: number;
}

function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : (100 * value).toFixed(2);
}

/** The table printed at the end: one row per (model, dataset). */
export function summaryTable(outcomes: readonly EvaluationOutcome[]): string {
  // A template sweep names each row's set.
  const sweep = new Set(outcomes.flatMap((outcome) => (outcome.record ? [outcome.record.templates] : []))).size > 1;
  const header = ['model', 'dataset', 'images', 'acc1 / class-acc', 'acc5', 'mAP@100', 'seconds'];
  const rows = outcomes.map((outcome) => {
    if (!outcome.record) return [outcome.model, outcome.dataset, '-', 'FAILED', '-', '-', '-'];
    const { metrics, task, n_images: images, timings } = outcome.record;
    // A few-shot record's metrics are the probe's at its largest budget: acc1, or macro mAP (not AP@100) for multi-label.
    const fewShot = outcome.record.evaluation === 'few-shot';
    const classification = task === 'multi-label' ? (fewShot ? metrics.macro_mAP : metrics.Average_class_accuracy) : metrics.acc1;
    const retrieval = fewShot ? null : task === 'multi-label' ? metrics.Ave_mAP : metrics.mAP;
    const condition = outcome.record.condition as { label?: string } | undefined;
    const tags = [...(fewShot ? [`few-shot ${String(outcome.record.probe)}`] : []), ...(condition?.label ? [condition.label] : [])];
    let name = tags.length > 0 ? `${outcome.model} [${tags.join(', ')}]` : outcome.model;
    if (sweep) name += ` (${outcome.record.templates})`;
    return [name, outcome.dataset, String(images), formatPercent(classification), formatPercent(metrics.acc5), formatPercent(retrieval), timings.seconds.toFixed(1)];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Lists each dataset once. A dataset that cannot be listed (missing folder, bad labels
 * file) is reported in one line and left out, as a dataset with a bad image is: the
 * others still run and the run exits non-zero.
 */
async function listDatasets(request: EvaluationRequest, datasetDir: string, log: (line: string) => void): Promise<{ listings: DatasetListing[]; failed: { dataset: string; error: string }[] }> {
  const names = request.datasets.length > 0 ? request.datasets : DATASETS.map((module) => module.name);
  const listings: DatasetListing[] = [];
  const failed: { dataset: string; error: string }[] = [];
  const modules = [...new Set(names.map((name) => resolveDataset(name).module))];
  for (const module of modules) {
    try {
      const listing = await module.list(datasetRoot(module, datasetDir), { skipInvalid: request.skipInvalid });
      listing.demo = listing.demo || request.demo;
      log(`${listing.dataset}: ${listing.items.length} images, ${listing.classes.length} classes (${listing.task}) from ${listing.root}`);
      listings.push(listing);
    } catch (error) {
      if (!isUserError(error)) throw error;
      log(`error: ${module.name}: ${error.message}`);
      failed.push({ dataset: module.name, error: `${module.name}: ${error.message}` });
    }
  }
  return { listings, failed };
}

export async function runEvaluation(request: EvaluationRequest, log: (line: string) => void): Promise<EvaluationSummary> {
  // 0. Where the records go, checked before anything runs; a killed run's leftovers removed.
  checkOutputFolder(request.savePath, '--save-path');
  for (const file of sweepRecordLeftovers(request.savePath)) log(`note: removed ${file}, left by an interrupted run`);
  // 1. Template sets, tasks, models, datasets.
  const templateSets = [...new Set(typeof request.templates === 'string' ? [request.templates] : request.templates)].map(loadTemplateSet);
  if (templateSets.length === 0) throw new UserError(ErrorCode.usage, 'no template set: pass --templates msclip (or clip, rs5m, a JSON file; a comma list for several)');
  const tasks = request.tasks.map((name) => TASKS.find(name)).filter((task, index, all) => all.indexOf(task) === index);
  let datasetDir = resolve(request.datasetDir);
  if (request.demo) {
    log('Running the built-in demo (synthetic Sentinel-2 data, tiny demo models). For the real benchmark: put the datasets in benchmark_datasets/ (see DATASETS.md) and run npm run evaluate -- --model Llama3-MS-CLIP-Base');
    datasetDir = await ensureDemoSuite({ log });
  }
  const modelNames = request.demo && request.models.length === 0 ? DEMO_MODEL_NAMES : request.models;
  const models = await loadModels({ names: modelNames, modelsDir: request.modelsDir, device: request.device, allowExport: request.allowExport, checkpoint: request.checkpoint, log });
  let outcomes: EvaluationOutcome[];
  const listingErrors: EvaluationOutcome[] = [];
  const runId = newRunId();
  let pool: WorkerPool | undefined;
  try {
    for (const model of models) {
      model.spec = request.specs?.[model.name] ?? model.spec;
      log(`${model.name}: ${model.encoder.manifest.image.kind} ${model.encoder.manifest.architecture}, ${model.spec.bands.length} bands, on ${model.encoder.provider}`);
    }
    const { entries, notApplicable } = withConditions(models, request.conditions ?? [], request.fill ?? 'channel-mean');
    for (const name of notApplicable) log(`${name}: band conditions not applicable (an RGB model has no multispectral bands to drop; --keep-bands rgb on a multispectral model is the comparison with it)`);
    if (entries.length > models.length) log(`band conditions: ${entries.filter((entry) => entry.condition).map((entry) => `${entry.name} ${entry.condition!.label}`).join('; ')} (fill ${request.fill ?? 'channel-mean'})`);
    const listed = await listDatasets(request, datasetDir, log);
    const failed = listed.failed;
    const listings = request.limitPerClass === undefined ? listed.listings : listed.listings.map((listing) => {
      const limited = limitPerClass(listing, request.limitPerClass!, 0);
      log(`${listing.dataset}: --limit-per-class ${request.limitPerClass}: ${limited.items.length} of ${listing.items.length} images (seeded; the same images for every condition)`);
      return limited;
    });
    for (const { dataset, error } of failed) listingErrors.push(...models.map((model) => ({ model: model.name, dataset, error })));
    // Before any image is encoded: classes that the template set makes indistinguishable.
    if (tasks.some((task) => task.usesTemplates)) {
      for (const templates of templateSets) for (const listing of listings) for (const model of models) checkDistinctPrompts(model.encoder, listing.classes, templates.templates, templates.name);
    }
    const largest = Math.max(0, ...listings.map((listing) => listing.items.length));
    pool = new WorkerPool(request.workers === 'auto' ? autoWorkerCount(largest, request.batchSize) : request.workers, { maxImagePixels: request.maxImagePixels });
    // Before any model runs: batches that cannot fit in memory fail now, in one line.
    for (const model of entries) checkBatchMemory({ spec: model.spec, batchSize: request.batchSize, inFlight: batchesInFlight(pool.size, largest, request.batchSize) });
    // 2. The pipeline proper.
    outcomes = await runPipeline({
      models: entries, datasets: listings, tasks, templates: templateSets,
      taskOptions: { split: request.split, fewShot: request.fewShot },
      // A subset listing (--limit-per-class, --skip-invalid) leaves out the split entries it does not hold.
      splitsOf: (listing) => resolveDataset(listing.dataset).module.splits(listing.root, listing, { missing: request.limitPerClass !== undefined || request.skipInvalid ? 'skip' : 'error' }),
      store: request.store && { ...request.store, onNote: (note) => log(`note: ${note}`) },
      batchSize: request.batchSize,
      savePath: request.savePath,
      runId,
      saveLogits: request.saveLogits,
      bootstrap: request.bootstrap,
      skipInvalid: request.skipInvalid,
      pool,
      demo: request.demo,
      log,
      quiet: request.quiet,
    });
  } finally {
    await pool?.close();
    await disposeModels(models);
  }

  // 3. Summary.
  outcomes = [...listingErrors, ...outcomes];
  const shard = request.store?.shard;
  if (shard && outcomes.length === 0) log(`Shard ${shard.index}/${shard.count}: its embeddings are in ${resolve(request.store!.dir)}; no records written. Score with the same command without --shard once every shard is done.`);
  if (!shard || outcomes.length > 0) log(`\n${summaryTable(outcomes)}\n`);
  const written = outcomes.filter((outcome) => outcome.written && outcome.record);
  if (written.length > 0) log(`Records: ${resolve(request.savePath, runId)}`);
  const errors = outcomes.flatMap((outcome) => (outcome.error ? [{ model: outcome.model, dataset: outcome.dataset, error: outcome.error }] : []));
  return {
    runId,
    demo: request.demo,
    savePath: resolve(request.savePath),
    results: written.map((outcome) => ({
      model: outcome.model,
      dataset: outcome.dataset,
      task: outcome.record!.task,
      evaluation: outcome.task ?? 'zero-shot',
      ...(typeof outcome.record!.probe === 'string' ? { probe: outcome.record!.probe } : {}),
      templates: outcome.record!.templates,
      ...(outcome.record!.condition ? { condition: outcome.record!.condition } : {}),
      n_images: outcome.record!.n_images,
      metrics: outcome.record!.metrics,
      ...(outcome.record!.ci ? { ci: outcome.record!.ci } : {}),
      record: outcome.written!.path,
      seconds: outcome.record!.timings.seconds,
    })),
    errors,
    failed: errors.length,
  };
}
