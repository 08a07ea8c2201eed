/**
 * Class embeddings (the text tower's side) cached per (text tower, template set, class
 * names, runtime): one small Parquet file per key, `id` = class name in logit column
 * order, `embedding` = the class's prompt-averaged, L2-normalised text embedding.
 * Text embeddings are cheap next to images, but a template sweep over many datasets
 * runs the text tower thousands of times; this makes a rerun skip it.
 *
 *   <root>/embeddings/text/<key digest>.parquet
 *
 * The same key always gives the same content, so writers replace the file atomically
 * (a truncated file is then healed by the next write) and need no lock.
 *
 * Imports adapters (the runtime's version), core and its siblings.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { onnxRuntimeVersion } from '../adapters/onnx.ts';
import type { ImageTextEncoder } from '../adapters/types.ts';
import { writeFileAtomic } from '../core/atomic.ts';
import { encodeStoreFile, readStoreFile } from './store-file.ts';
import { keyDigest, type TextStoreKey } from './store-key.ts';
import { defaultStoreRoot } from './store.ts';

export interface TextCacheOptions {
  /** The store's root folder (`--cache-dir`); default defaultStoreRoot(). */
  dir?: string;
  key: TextStoreKey;
  onNote?: (note: string) => void;
}

export function textCacheFile(options: Pick<TextCacheOptions, 'dir' | 'key'>): string {
  return join(options.dir ?? defaultStoreRoot(), 'embeddings', 'text', `${keyDigest(options.key)}.parquet`);
}

export interface ClassEmbeddings {
  /** classes x dimension, in the key's class order. */
  embeddings: Float32Array;
  dimension: number;
  file: string;
}

/** The cached class embeddings, or undefined (with a note when a file was there but unusable). */
export function readClassEmbeddings(options: TextCacheOptions): ClassEmbeddings | undefined {
  const file = textCacheFile(options);
  if (!existsSync(file)) return undefined;
  const rows = readStoreFile(file, 'text', options.key);
  if (typeof rows === 'string') {
    options.onNote?.(`${file} ${rows}: ignored, the class embeddings are computed again`);
    return undefined;
  }
  const classes = options.key.classes;
  if (rows.ids.length !== classes.length || rows.ids.some((id, index) => id !== classes[index])) {
    options.onNote?.(`${file} lists other classes than its key: ignored, the class embeddings are computed again`);
    return undefined;
  }
  return { embeddings: rows.values, dimension: rows.dimension, file };
}

/** Stores classes x dimension class embeddings for the key; returns the file. */
export function writeClassEmbeddings(options: TextCacheOptions & { embeddings: Float32Array }): string {
  const { classes } = options.key;
  const dimension = options.embeddings.length / classes.length;
  if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`text cache: ${options.embeddings.length} floats are not ${classes.length} class rows`);
  const file = textCacheFile(options);
  writeFileAtomic(file, encodeStoreFile('text', options.key, { ids: classes, dimension, values: options.embeddings }));
  return file;
}

/** The text-side key of an encoder's class embeddings for a template set and class names. */
export function textStoreKey(encoder: Pick<ImageTextEncoder, 'manifest' | 'provider'>, templatesSha256: string, classes: readonly string[]): TextStoreKey {
  const { manifest } = encoder;
  const textTowerSha256 = manifest.files[manifest.text.file];
  if (!textTowerSha256) throw new Error(`${manifest.name}: the manifest lists no sha256 for its text tower ${manifest.text.file}`);
  return { textTowerSha256, templatesSha256, classes: [...classes], onnxRuntime: { version: onnxRuntimeVersion(), provider: encoder.provider } };
}

/**
 * The key's class embeddings: read from the cache, else built by `build` (the text
 * tower) and stored for the next run.
 */
export async function cachedClassEmbeddings(options: TextCacheOptions & { build: () => Promise<Float32Array> }): Promise<ClassEmbeddings & { cached: boolean }> {
  const stored = readClassEmbeddings(options);
  if (stored) return { ...stored, cached: true };
  const embeddings = await options.build();
  const file = writeClassEmbeddings({ ...options, embeddings });
  return { embeddings, dimension: embeddings.length / options.key.classes.length, file, cached: false };
}
