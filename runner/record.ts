/**
 * A task's output -> the result record (../RECORDS.md): metrics, per-class values,
 * timings and provenance (versions, bundle hashes, the preprocessing as applied, the
 * template set, the device), and the fields the task adds (`output.fields`: zero-shot's
 * split; few-shot's evaluation, probe, curve, ...).
 */
import { provenanceBase } from '../core/project.ts';
import type { SubsetInfo } from '../datasets/subset.ts';
import type { DatasetListing } from '../datasets/types.ts';
import type { Interval, IntervalMethod, PerClass } from '../metrics/index.ts';
import { describePreprocessing } from '../preprocess/prepare.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import type { PerClassRecord, ResultRecord } from '../records/records.ts';
import type { EvaluationTask, TaskOutput } from '../tasks/index.ts';
import type { TemplateSet } from '../templates/index.ts';
import type { EvaluationModel } from './models.ts';

export interface RecordInput {
  model: EvaluationModel;
  listing: DatasetListing;
  task: EvaluationTask;
  output: TaskOutput;
  spec: PreprocessSpec;
  skipped: { file: string; reason: string }[];
  seconds: number;
  modelSeconds: number;
  templates: TemplateSet;
  batchSize: number;
  demo: boolean;
  /** Image ids in logit row order (written with the logits). */
  imageIds?: string[];
  /** Bootstrap intervals of the metrics, and the seconds they took. */
  confidence?: { ci: Record<string, Interval | null>; method: IntervalMethod; seconds: number };
  /** Where the image embeddings came from: encoded by this run, read from the store, and the store's files. */
  embeddings?: { encoded: number; from_store: number; store_files: string[] };
}

function perClassRecord(classes: readonly string[], perClass: readonly PerClass[]): Record<string, PerClassRecord> {
  // Keyed by class names, which are data: a null-prototype object, so that a class
  // called "constructor" or "__proto__" is a key like any other.
  const out = Object.create(null) as Record<string, PerClassRecord>;
  const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);
  classes.forEach((name, index) => {
    const entry = perClass[index];
    out[name] = { accuracy: finite(entry.accuracy), ap: finite(entry.ap), ap_tm19: finite(entry.ap_tm19), precision: finite(entry.precision), recall: finite(entry.recall), f1: finite(entry.f1) };
  });
  return out;
}

export function buildRecord(input: RecordInput): ResultRecord {
  const { model, listing, output } = input;
  const manifest = model.encoder.manifest;
  const count = output.imageIds.length;
  const record: ResultRecord = {
    schema: 1,
    model: model.name,
    dataset: listing.dataset,
    task: listing.task,
    // A result that does not depend on prompts (a few-shot probe) says so; its identity then ignores the template set.
    templates: input.task.usesTemplates ? input.templates.name : 'none',
    ...output.fields,
    demo: input.demo || listing.demo || manifest.demo,
    classes: [...listing.classes],
    n_images: count,
    metrics: output.metrics,
    ...(input.confidence ? { ci: input.confidence.ci, ci_method: input.confidence.method } : {}),
    per_class: perClassRecord(listing.classes, output.perClass),
    timings: { seconds: input.seconds, images_per_second: count / input.seconds, model_seconds: input.modelSeconds },
    provenance: {
      ...provenanceBase(),
      bundle_sha256: manifest.files,
      preprocessing: describePreprocessing(listing.dataset, input.spec),
      templates_sha256: input.templates.sha256,
      device: model.encoder.provider,
      image_kind: manifest.image.kind,
      architecture: manifest.architecture,
      weights: manifest.source,
      batch_size: input.batchSize,
      dataset_root: listing.root,
      date: new Date().toISOString(),
      ...(input.embeddings ? { embeddings: input.embeddings } : {}),
    },
  };
  if (model.condition) record.condition = { dropped: model.condition.dropped, fill: model.condition.fill, label: model.condition.label };
  const subset = (listing as DatasetListing & { subset?: SubsetInfo }).subset;
  if (subset) record.limit = { per_class: subset.per_class, seed: subset.seed, of_images: subset.of };
  if (input.confidence) record.timings.bootstrap_seconds = input.confidence.seconds;
  if (input.skipped.length > 0) record.skipped = input.skipped;
  if (input.imageIds) record.images = input.imageIds;
  return record;
}
