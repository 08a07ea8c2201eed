/**
 * The evaluate pipeline. For one run:
 *
 *  1. resolve the template set, the models (bundles, exported when missing) and the
 *     datasets (listed once each, in reference order);
 *  2. per dataset, group the models whose preprocessing is identical, so each group
 *     decodes the images once (worker threads, streamed in bounded batches);
 *  3. per batch, every model of the group encodes the images (L2-normalised rows);
 *  4. per model, the zero-shot classifier from the templates, logits = 100 x cosine;
 *  5. metrics (single- or multi-label) -> one immutable record per
 *     (model, dataset, template set), written atomically with its CSV (and logits);
 *  6. a summary table; the caller builds the report.
 *
 * A dataset that fails (bad input) is reported in one line and nothing is written
 * for it; the other datasets still run and the run exits non-zero.
 */
import { preprocessSpecOf } from '../adapters/clip.ts';
import type { ImageTextEncoder } from '../adapters/types.ts';
import type { DatasetListing, PreprocessSpec } from '../datasets/types.ts';
import { describePreprocessing, preprocessingKey } from '../datasets/preprocess.ts';
import { buildClassifier, zeroShotLogits } from './zero-shot.ts';
import { multiLabelMetrics, singleLabelMetrics } from './metrics/index.ts';
import { WorkerPool, streamBatches } from './pipeline.ts';
import { createProgress } from './progress.ts';
import { isUserError } from './messages.ts';
import { provenanceBase } from './provenance.ts';
import { writeRecord, type PerClassRecord, type ResultRecord, type WrittenRecord } from './records.ts';

export interface EvaluationModel {
  /** Registry name recorded in results. */
  name: string;
  encoder: ImageTextEncoder;
}

export interface EvaluationDataset {
  listing: DatasetListing;
}

export interface EvaluateOptions {
  models: EvaluationModel[];
  datasets: EvaluationDataset[];
  templates: { name: string; templates: string[]; sha256: string };
  batchSize: number;
  savePath: string;
  runId: string;
  saveLogits: boolean;
  skipInvalid: boolean;
  /** Worker threads for the data path (0 = in this thread). */
  pool: WorkerPool;
  demo: boolean;
  log: (line: string) => void;
  quiet?: boolean;
}

export interface EvaluationOutcome {
  model: string;
  dataset: string;
  record?: ResultRecord;
  written?: WrittenRecord;
  error?: string;
}

interface ModelRun {
  model: EvaluationModel;
  embeddings: Float32Array;
  modelSeconds: number;
}

/** Steps 2-3 for one dataset and one preprocessing group. */
async function embedGroup(options: EvaluateOptions, listing: DatasetListing, group: EvaluationModel[], spec: PreprocessSpec, skipped: { file: string; reason: string }[]): Promise<{ runs: ModelRun[]; kept: number[]; dataSeconds: number }> {
  const runs = group.map((model) => ({ model, embeddings: new Float32Array(listing.items.length * model.encoder.manifest.embeddingSize), modelSeconds: 0 }));
  const kept: number[] = [];
  const names = group.map((model) => model.name).join(', ');
  const progress = createProgress({ label: `${listing.dataset} x ${names}`, total: listing.items.length, quiet: options.quiet });
  const started = performance.now();
  for await (const batch of streamBatches({
    pool: options.pool,
    dataset: listing.dataset,
    spec,
    items: listing.items,
    batchSize: options.batchSize,
    skipInvalid: options.skipInvalid,
    onSkip: (entry) => {
      skipped.push({ file: entry.file, reason: entry.reason });
      options.log(`warning: skipped ${entry.reason}`);
      progress.tick(1);
    },
  })) {
    for (const run of runs) {
      const modelStarted = performance.now();
      const rows = await run.model.encoder.encodeImages(batch.pixels, batch.count);
      run.modelSeconds += (performance.now() - modelStarted) / 1000;
      run.embeddings.set(rows, kept.length * run.model.encoder.manifest.embeddingSize);
    }
    kept.push(...batch.indices);
    progress.tick(batch.count);
  }
  progress.done();
  for (const run of runs) run.embeddings = run.embeddings.subarray(0, kept.length * run.model.encoder.manifest.embeddingSize);
  return { runs, kept, dataSeconds: (performance.now() - started) / 1000 };
}

function perClassRecord(classes: readonly string[], perClass: { accuracy: number; ap: number; ap_tm19: number; precision: number; recall: number; f1: number }[]): Record<string, PerClassRecord> {
  const out: Record<string, PerClassRecord> = {};
  const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);
  classes.forEach((name, index) => {
    const entry = perClass[index];
    out[name] = { accuracy: finite(entry.accuracy), ap: finite(entry.ap), ap_tm19: finite(entry.ap_tm19), precision: finite(entry.precision), recall: finite(entry.recall), f1: finite(entry.f1) };
  });
  return out;
}

/** Steps 4-5 for one model on one dataset. */
async function scoreModel(options: EvaluateOptions, listing: DatasetListing, run: ModelRun, kept: number[], dataSeconds: number, spec: PreprocessSpec, skipped: { file: string; reason: string }[]): Promise<EvaluationOutcome> {
  const started = performance.now();
  const classifier = await buildClassifier(run.model.encoder, listing.classes, options.templates.templates);
  const count = kept.length;
  const classes = listing.classes.length;
  const logits = zeroShotLogits(run.embeddings, count, classifier);
  const multiLabel = listing.task === 'multi-label';
  let targets: Int32Array | Uint8Array;
  if (multiLabel) {
    targets = new Uint8Array(count * classes);
    kept.forEach((itemIndex, row) => { for (const label of listing.items[itemIndex].labels) targets[row * classes + label] = 1; });
  } else {
    targets = new Int32Array(count);
    kept.forEach((itemIndex, row) => { targets[row] = listing.items[itemIndex].labels[0]; });
  }
  const result = multiLabel ? multiLabelMetrics(logits, count, classes, targets as Uint8Array) : singleLabelMetrics(logits, count, classes, targets as Int32Array);
  const seconds = dataSeconds + (performance.now() - started) / 1000;
  const manifest = run.model.encoder.manifest;
  const record: ResultRecord = {
    schema: 1,
    model: run.model.name,
    dataset: listing.dataset,
    task: listing.task,
    templates: options.templates.name,
    demo: options.demo || listing.demo || manifest.demo,
    classes: listing.classes,
    n_images: count,
    metrics: result.metrics,
    per_class: perClassRecord(listing.classes, result.perClass),
    timings: { seconds, images_per_second: count / seconds, model_seconds: run.modelSeconds },
    provenance: {
      ...provenanceBase(),
      bundle_sha256: manifest.files,
      preprocessing: describePreprocessing(listing.dataset, spec),
      templates_sha256: options.templates.sha256,
      device: run.model.encoder.provider,
      image_kind: manifest.image.kind,
      architecture: manifest.architecture,
      weights: manifest.source,
      batch_size: options.batchSize,
      dataset_root: listing.root,
      date: new Date().toISOString(),
    },
  };
  if (skipped.length > 0) record.skipped = skipped;
  if (options.saveLogits) record.images = kept.map((index) => listing.items[index].id);
  const written = writeRecord(options.savePath, options.runId, record, options.saveLogits
    ? { logits: { data: logits, shape: [count, classes] }, targets: { data: targets, shape: multiLabel ? [count, classes] : [count] } }
    : {});
  return { model: run.model.name, dataset: listing.dataset, record, written };
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluationOutcome[]> {
  const outcomes: EvaluationOutcome[] = [];
  for (const { listing } of options.datasets) {
    // Step 2: models sharing a preprocessing key share one pass over the images.
    const groups = new Map<string, { spec: PreprocessSpec; models: EvaluationModel[] }>();
    for (const model of options.models) {
      const spec = preprocessSpecOf(model.encoder);
      const key = preprocessingKey(listing.dataset, spec);
      const group = groups.get(key) ?? { spec, models: [] };
      group.models.push(model);
      groups.set(key, group);
    }
    for (const { spec, models } of groups.values()) {
      const skipped = [...listing.skipped];
      try {
        const { runs, kept, dataSeconds } = await embedGroup(options, listing, models, spec, skipped);
        if (kept.length === 0) throw new Error(`no readable image left in ${listing.root}`);
        for (const run of runs) outcomes.push(await scoreModel(options, listing, run, kept, dataSeconds, spec, skipped));
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
