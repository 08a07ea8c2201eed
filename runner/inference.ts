/**
 * Zero-shot inference on your own images: `classify` (which class is each image?) and
 * `retrieve` (which images match each text?), as the reference's inference.py
 * --run-classification / --run-retrieval, in float32 and streamed in batches.
 *
 *  1. list the images (folder sorted, list file, or paths; preprocess/user-images.ts);
 *  2. load the model bundle (exported on first use unless allowExport is false);
 *  3. image embeddings: read from a saved embeddings file (refused when stale), or
 *     found in the embedding store and the rest encoded batch by batch (worker
 *     threads read the next batches while the model runs; embeddings/cached-encode.ts),
 *     and optionally saved for the next call (the store's Parquet layout);
 *  4. classify: class embeddings = mean of the L2-normalised template embeddings,
 *     renormalised; probabilities = softmax(100 x cosine), prediction = argmax.
 *     retrieve: each query encoded as is (no templates, as the reference), cosine
 *     similarity to every image, top-k, ties broken by listing order.
 *
 * Both return plain data; the commands in cli/commands/ print it.
 */
import { checkOutputFile } from '../core/output-paths.ts';
import { resolve } from 'node:path';
import { loadEncoder, preprocessSpecOf } from '../adapters/clip.ts';
import { lookupModel } from '../adapters/registry.ts';
import type { Device, ImageTextEncoder } from '../adapters/types.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import { loadTemplateSet } from '../templates/index.ts';
import { checkSavedFresh, readSavedEmbeddings, writeSavedEmbeddings } from '../embeddings/saved-file.ts';
import { stampItems } from '../embeddings/store-key.ts';
import { listImages, type ImageEntry } from '../preprocess/user-images.ts';
import { encodeWithStore, imageStoreKey, type StoreSettings, type StoreUse } from '../embeddings/cached-encode.ts';
import { classEmbeddings } from './class-heads.ts';
import { autoWorkerCount, WorkerPool } from '../preprocess/stream.ts';
import { ErrorCode, UserError } from '../core/errors.ts';
import { topKIndices } from '../metrics/retrieval.ts';
import { zeroShotLogits } from '../tasks/zero-shot/classifier.ts';

export interface InferenceOptions {
  /** Registry name of the model, e.g. "Llama3-MS-CLIP-Base". */
  model: string;
  /**
   * A folder, a .txt/.yaml list, one image, or image paths. May be left out when
   * `embeddings` is given (the saved file list is used).
   */
  images?: string | readonly string[];
  /** Local checkpoint to export from when the bundle is missing. */
  checkpoint?: string;
  /** Reuse image embeddings saved by an earlier call (refused when stale). */
  embeddings?: string;
  /** Save the image embeddings to this file (replaced atomically). */
  saveEmbeddings?: string;
  /** An already loaded model (its manifest name must be `model`); not disposed. */
  encoder?: ImageTextEncoder;
  /** Called after each encoded batch. */
  onProgress?: (done: number, total: number) => void;
  /** Notes for the user (skipped files, cache use); default: none. */
  onNote?: (line: string) => void;
}

export interface ClassifyOptions extends InferenceOptions {
  classNames: readonly string[];
  /** Template set: "msclip", "clip", "rs5m", or a JSON file. */
  templates: string;
}

export interface RetrieveOptions extends InferenceOptions {
  queries: readonly string[];
  /** Images per query (at most the number of images are shown). */
  topK: number;
}

export interface InferenceImage {
  /** As shown: file name (folder input) or the path as listed. */
  name: string;
  /** Absolute path. */
  path: string;
}

interface InferenceBase {
  model: string;
  /** Execution provider that ran the model ("cpu", "cuda", "webgpu"). */
  provider: string;
  /** Files of the folder that were not images. */
  skipped: { file: string; reason: string }[];
  /**
   * Where the image embeddings came from: a saved file, or the store and the image
   * tower (how many of each).
   */
  embeddings: { source: 'encoded' | 'file'; file?: string; saved?: string; encoded?: number; from_store?: number };
  seconds: { images: number; texts: number; total: number };
}

export interface ClassifyResult extends InferenceBase {
  templates: { name: string; count: number; sha256: string };
  classes: string[];
  images: (InferenceImage & { class: string; probabilities: number[] })[];
}

export interface RetrievalHit extends InferenceImage {
  rank: number;
  /** Index of the image in listing order. */
  index: number;
  similarity: number;
}

export interface RetrieveResult extends InferenceBase {
  images: number;
  queries: { query: string; results: RetrievalHit[] }[];
}

/** The run settings the library entry (cli/library.ts) fills from cli/defaults.ts. */
export interface InferenceSettings {
  modelsDir: string;
  device: Device;
  allowExport: boolean;
  batchSize: number;
  /** Preprocessing threads, or 'auto' (none for small inputs, else the core count). */
  workers: number | 'auto';
  /** Images larger than this many pixels (width x height) are refused before decoding. */
  maxImagePixels: number;
  /** The embedding store (--cache-dir; absent = --no-cache); cacheOnly forbids encoding. */
  store?: { dir: string; cacheOnly?: boolean };
}

/**
 * The store's dataset name for a user's images: the input folder or list file (ids
 * are names relative to it), or the working folder for paths given one by one.
 */
function imagesDataset(input: string | readonly string[]): string {
  return `images:${typeof input === 'string' ? resolve(input) : process.cwd()}`;
}

/**
 * Steps 2-3, shared by both tasks; `run` does the text side of step 4, and its
 * result is completed with the common fields and the timings.
 */
async function withImageEmbeddings<T extends object>(options: InferenceOptions, settings: InferenceSettings, run: (context: {
  encoder: ImageTextEncoder;
  images: ImageEntry[];
  embeddings: Float32Array;
}) => Promise<T>): Promise<InferenceBase & T> {
  const started = performance.now();
  const note = options.onNote ?? (() => undefined);
  if (options.embeddings && options.saveEmbeddings) {
    throw new UserError(ErrorCode.usage, 'use --embeddings FILE to reuse saved embeddings or --save-embeddings FILE to write them, not both');
  }
  if (!options.images && !options.embeddings) throw new UserError(ErrorCode.usage, 'no images: pass --images DIR|list.txt|list.yaml (or --embeddings FILE saved earlier)');
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) throw new UserError(ErrorCode.usage, `batch size must be a positive integer, got ${settings.batchSize}`);
  if (options.saveEmbeddings) checkOutputFile(options.saveEmbeddings, '--save-embeddings');
  // Listing first: a wrong folder fails before a model is loaded or exported.
  const listing = options.images ? await listImages(options.images) : undefined;
  for (const skipped of listing?.skipped ?? []) note(`skipped ${skipped.file}: ${skipped.reason}`);
  const encoder = options.encoder ?? await loadEncoder({
    name: options.model,
    modelsDir: resolve(settings.modelsDir),
    device: settings.device,
    allowExport: settings.allowExport,
    checkpoint: options.checkpoint,
    onProgress: options.onNote,
  });
  if (options.encoder && encoder.manifest.name !== (lookupModel(options.model)?.name ?? options.model)) {
    throw new UserError(ErrorCode.usage, `the encoder passed in is ${encoder.manifest.name}, but model is ${options.model}`);
  }
  note(`${encoder.manifest.name} runs on ${encoder.provider}`);
  try {
    const spec = preprocessSpecOf(encoder);
    const imageStart = performance.now();
    let images: ImageEntry[];
    let embeddings: Float32Array;
    const source: InferenceBase['embeddings'] = { source: 'encoded' };
    if (options.embeddings) {
      const saved = readSavedEmbeddings(options.embeddings);
      checkSavedFresh(options.embeddings, saved, { model: encoder.manifest.name, key: imageStoreKey(encoder, spec, saved.key.dataset) }, listing?.images);
      images = saved.paths.map((path, index) => ({ path, name: saved.ids[index] }));
      embeddings = saved.values;
      checkSavedEmbeddings(options.embeddings, embeddings, images.length, encoder.manifest.embeddingSize);
      source.source = 'file';
      source.file = options.embeddings;
      note(`using ${images.length} saved image embeddings from ${options.embeddings}`);
    } else {
      images = listing!.images;
      const dataset = imagesDataset(options.images!);
      // Taken before any image is read: a file changed while encoding is not saved as fresh.
      const stamps = options.saveEmbeddings ? stampItems(images.map((image) => ({ id: image.name, files: [image.path], labels: [] }))) : [];
      const encoded = await encodeImages(encoder, images, spec, { batchSize: settings.batchSize, workers: settings.workers, maxImagePixels: settings.maxImagePixels, onProgress: options.onProgress, store: settings.store && { ...settings.store, dataset, onNote: note } });
      embeddings = encoded.embeddings;
      source.encoded = encoded.store.encoded;
      source.from_store = encoded.store.fromStore;
      if (settings.store && encoded.store.fromStore > 0) note(`${encoded.store.fromStore} of ${images.length} image embeddings from the store (${settings.store.dir}), ${encoded.store.encoded} encoded`);
      if (options.saveEmbeddings) {
        const missing = stamps.indexOf(null);
        if (missing >= 0) throw new UserError(ErrorCode.imageInvalid, `${images[missing].path}: cannot be read any more; its embedding is not saved`, images[missing].path);
        writeSavedEmbeddings(options.saveEmbeddings, {
          key: imageStoreKey(encoder, spec, dataset), model: encoder.manifest.name,
          ids: images.map((image) => image.name), paths: images.map((image) => image.path), stamps: stamps as string[],
          dimension: encoder.manifest.embeddingSize, values: embeddings,
        });
        source.saved = options.saveEmbeddings;
        note(`saved ${images.length} image embeddings to ${options.saveEmbeddings}`);
      }
    }
    const textStart = performance.now();
    const result = await run({ encoder, images, embeddings });
    const now = performance.now();
    return {
      model: encoder.manifest.name,
      provider: encoder.provider,
      skipped: listing?.skipped ?? [],
      embeddings: source,
      ...result,
      seconds: { images: (textStart - imageStart) / 1000, texts: (now - textStart) / 1000, total: (now - started) / 1000 },
    };
  } finally {
    if (!options.encoder) await encoder.dispose();
  }
}

/**
 * Saved embeddings are data from outside: they must have the model's dimension and be
 * finite, L2-normalised rows, or the similarities (and probabilities) are garbage.
 */
function checkSavedEmbeddings(file: string, embeddings: Float32Array, rows: number, size: number): void {
  const fix = 'it was changed after it was saved; delete it and save it again with --save-embeddings';
  if (embeddings.length !== rows * size) {
    throw new UserError(ErrorCode.imageInvalid, `${file}: holds ${embeddings.length / Math.max(1, rows)} values per image, the model's embeddings have ${size}; ${fix}`, file);
  }
  for (let row = 0; row < rows; row++) {
    let norm = 0;
    for (let index = row * size; index < (row + 1) * size; index++) norm += embeddings[index] * embeddings[index];
    if (!Number.isFinite(norm) || Math.abs(norm - 1) > 1e-3) {
      throw new UserError(ErrorCode.imageInvalid, `${file}: row ${row} is not a finite unit vector (squared norm ${norm}); ${fix}`, file);
    }
  }
}

/**
 * Encodes a user's images through the one data path (the same stream and worker
 * pool as evaluate), past the store when one is given. Only a few batches of pixels
 * exist at a time, so folder size does not matter.
 */
export async function encodeImages(encoder: ImageTextEncoder, images: readonly ImageEntry[], spec: PreprocessSpec, options: {
  batchSize: number;
  workers: number | 'auto';
  maxImagePixels?: number;
  onProgress?: (done: number, total: number) => void;
  store?: StoreSettings;
}): Promise<{ embeddings: Float32Array; store: StoreUse }> {
  const workers = options.workers === 'auto' ? autoWorkerCount(images.length, options.batchSize) : options.workers;
  const pool = new WorkerPool(workers, { maxImagePixels: options.maxImagePixels });
  try {
    const encoded = await encodeWithStore({
      pool,
      spec,
      items: images.map((image) => ({ id: image.name, files: [image.path], labels: [] })),
      batchSize: options.batchSize,
      encoders: [encoder],
      skipInvalid: false,
      onProgress: options.onProgress,
      store: options.store,
    });
    return { embeddings: encoded.embeddings[0], store: encoded.store[0] };
  } finally {
    await pool.close();
  }
}

/** Softmax of one row of logits, in float64. */
function softmax(logits: Float32Array, start: number, count: number): number[] {
  let max = -Infinity;
  for (let index = 0; index < count; index++) max = Math.max(max, logits[start + index]);
  const exps = Array.from({ length: count }, (_, index) => Math.exp(logits[start + index] - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

function checkTexts(texts: readonly string[], what: string, flag: string): string[] {
  const cleaned = texts.map((text) => text.trim()).filter((text) => text !== '');
  if (cleaned.length === 0) throw new UserError(ErrorCode.usage, `no ${what}: pass ${flag}`);
  const duplicate = cleaned.find((text, index) => cleaned.indexOf(text) !== index);
  if (duplicate !== undefined) throw new UserError(ErrorCode.usage, `${what} "${duplicate}" is given twice`);
  return cleaned;
}

/** Zero-shot classification of every image into `classNames`. */
export async function classify(options: ClassifyOptions, settings: InferenceSettings): Promise<ClassifyResult> {
  const classes = checkTexts(options.classNames, 'class names', '--class-names a,b,c or --classes-file FILE');
  const templateSet = loadTemplateSet(options.templates);
  return withImageEmbeddings(options, settings, async ({ encoder, images, embeddings }) => {
    const classifier = { weights: await classEmbeddings(encoder, classes, templateSet, settings.store?.dir, options.onNote), classes: classes.length, embeddingSize: encoder.manifest.embeddingSize };
    const logits = zeroShotLogits(embeddings, images.length, classifier);
    const rows = images.map((image, row) => {
      const probabilities = softmax(logits, row * classes.length, classes.length);
      // argmax keeps the first of equal values, as torch/pandas do.
      let best = 0;
      for (let column = 1; column < classes.length; column++) if (probabilities[column] > probabilities[best]) best = column;
      return { name: image.name, path: image.path, class: classes[best], probabilities };
    });
    return {
      templates: { name: templateSet.name, count: templateSet.templates.length, sha256: templateSet.sha256 },
      classes,
      images: rows,
    };
  });
}

/** Text-to-image retrieval: the `topK` most similar images for every query. */
export async function retrieve(options: RetrieveOptions, settings: InferenceSettings): Promise<RetrieveResult> {
  const queries = checkTexts(options.queries, 'queries', '--query "text" or --queries-file FILE');
  const topK = options.topK;
  if (!Number.isInteger(topK) || topK < 1) throw new UserError(ErrorCode.usage, `top-k must be a positive integer, got ${topK}`);
  return withImageEmbeddings(options, settings, async ({ encoder, images, embeddings }) => {
    const queryEmbeddings = await encoder.encodeTexts(queries);
    const size = encoder.manifest.embeddingSize;
    const keep = Math.min(topK, images.length);
    if (keep < topK) options.onNote?.(`top-k ${topK} is more than the ${images.length} image(s); showing all`);
    const results = queries.map((query, queryIndex) => {
      const similarities = new Float64Array(images.length);
      for (let image = 0; image < images.length; image++) {
        let dot = 0;
        for (let d = 0; d < size; d++) dot += embeddings[image * size + d] * queryEmbeddings[queryIndex * size + d];
        similarities[image] = dot;
      }
      // Higher similarity first, ties in listing order.
      const order = topKIndices(similarities, keep);
      return {
        query,
        results: Array.from(order, (index, rank) => ({ rank: rank + 1, index, name: images[index].name, path: images[index].path, similarity: similarities[index] })),
      };
    });
    return { images: images.length, queries: results };
  });
}
