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
 * Imports core and its siblings.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
