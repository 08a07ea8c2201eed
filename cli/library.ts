/**
 * The library entry point (`import { ... } from 'msclip-bench'`): inference on your own
 * tiles, evaluation, bundles and records, for TypeScript users. It loads no report
 * code (vega, resvg, handlebars): that is `msclip-bench/reports`.
 *
 * Optional settings are filled from cli/defaults.ts, as the commands fill them.
 */
import type { Device } from '../adapters/types.ts';
import * as inference from '../runner/inference.ts';
import { DEFAULTS } from './defaults.ts';

export interface InferenceSettingsOptions {
  /** Bundle root (default "models"). */
  modelsDir?: string;
  device?: Device;
  /** Export a missing bundle (default true). */
  allowExport?: boolean;
  /** Images per model call (default 64). */
  batchSize?: number;
  /** Threads that read and preprocess images (default: none for small inputs, else every core). */
  workers?: number;
  /** Images larger than this many pixels (width x height) are refused before decoding (default 10,000 x 10,000). */
  maxImagePixels?: number;
  /**
   * The embedding store's folder (default `$XDG_CACHE_HOME/msclip-bench` or
   * `~/.cache/msclip-bench`); false: no store, every image encoded.
   */
  cacheDir?: string | false;
  /** Never encode: fail, naming them, when the store lacks an image's embedding. */
  cacheOnly?: boolean;
}

export type InferenceOptions = inference.InferenceOptions & InferenceSettingsOptions;
export type ClassifyOptions = Omit<inference.ClassifyOptions, 'templates'> & InferenceSettingsOptions & {
  /** Template set: "msclip" (default, as the reference), "clip", "rs5m", or a JSON file. */
  templates?: string;
};
export type RetrieveOptions = Omit<inference.RetrieveOptions, 'topK'> & InferenceSettingsOptions & {
  /** Images per query (default 5). */
  topK?: number;
};

function settingsOf(options: InferenceSettingsOptions): inference.InferenceSettings {
  return {
    modelsDir: options.modelsDir ?? DEFAULTS.modelsDir,
    device: options.device ?? DEFAULTS.device,
    allowExport: options.allowExport ?? DEFAULTS.allowExport,
    batchSize: options.batchSize ?? DEFAULTS.batchSize,
    workers: options.workers ?? DEFAULTS.workers,
    maxImagePixels: options.maxImagePixels ?? DEFAULTS.maxImagePixels,
    store: options.cacheDir === false ? undefined : { dir: options.cacheDir ?? DEFAULTS.cacheDir, cacheOnly: options.cacheOnly ?? false },
  };
}

/** Zero-shot classification of every image into `classNames`. */
export function classify(options: ClassifyOptions): Promise<inference.ClassifyResult> {
  return inference.classify({ ...options, templates: options.templates ?? DEFAULTS.templates }, settingsOf(options));
}

/** Text-to-image retrieval: the `topK` most similar images for every query. */
export function retrieve(options: RetrieveOptions): Promise<inference.RetrieveResult> {
  return inference.retrieve({ ...options, topK: options.topK ?? DEFAULTS.topK }, settingsOf(options));
}

export const DEFAULT_BATCH_SIZE = DEFAULTS.batchSize;
export type { ClassifyResult, RetrieveResult, RetrievalHit, InferenceImage } from '../runner/inference.ts';
export { listImages, prepareInputImage } from '../preprocess/user-images.ts';
export { readSavedEmbeddings, type SavedEmbeddings } from '../embeddings/saved-file.ts';
export { runEvaluation, summaryTable } from '../runner/evaluate.ts';
export type { EvaluationRequest, EvaluationSummary } from '../runner/evaluate.ts';
export { readRecords, newestRecords, writeRecord } from '../records/records.ts';
export type { ResultRecord } from '../records/records.ts';
export { singleLabelMetrics, multiLabelMetrics, METRICS } from '../metrics/index.ts';
export { UserError, ErrorCode } from '../core/errors.ts';
export { loadEncoder, openBundle } from '../adapters/clip.ts';
export { listModels } from '../adapters/registry.ts';
export type { BundleManifest, ImageTextEncoder, Device } from '../adapters/types.ts';
