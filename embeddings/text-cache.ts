/**
 * Class embeddings (the text tower's side) cached per (text tower, template set, class
 * names, runtime): one small JSON file per key with the key, the class names in logit
 * column order and the classes x dimension float32 rows (each the class's
 * prompt-averaged, L2-normalised text embedding) as base64, bit for bit. Text
 * embeddings are cheap next to images, but a template sweep over many datasets runs
 * the text tower thousands of times; this makes a rerun skip it.
 *
 *   <root>/embeddings/text/<key digest>.json
 *
 * Not Parquet on purpose: the store's .parquet files are its image rows only (one per
 * image and model), so a reader that globs them gets images and nothing else.
 *
 * The same key always gives the same content, so writers replace the file atomically
 * (a truncated file is then healed by the next write) and need no lock.
 *
 * Imports adapters (the runtime's version), core and its siblings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxRuntimeVersion } from '../adapters/onnx.ts';
import type { ImageTextEncoder } from '../adapters/types.ts';
import { writeFileAtomic } from '../core/atomic.ts';
import { provenanceBase } from '../core/project.ts';
import { canonicalJson, keyDigest, type TextStoreKey } from './store-key.ts';
import { defaultStoreRoot } from './store.ts';

export interface TextCacheOptions {
  /** The store's root folder (`--cache-dir`); default defaultStoreRoot(). */
  dir?: string;
  key: TextStoreKey;
  onNote?: (note: string) => void;
}

export function textCacheFile(options: Pick<TextCacheOptions, 'dir' | 'key'>): string {
  return join(options.dir ?? defaultStoreRoot(), 'embeddings', 'text', `${keyDigest(options.key)}.json`);
}

export interface ClassEmbeddings {
  /** classes x dimension, in the key's class order. */
  embeddings: Float32Array;
  dimension: number;
  file: string;
}

const FORMAT = 'msclip-bench-class-embeddings';
const VERSION = 1;

interface ClassEmbeddingsFile {
  format: typeof FORMAT;
  version: number;
  key: TextStoreKey;
  dimension: number;
  /** classes x dimension float32, little-endian, base64. */
  embeddings: string;
  created: string;
  package_version: string;
}

/** Why a file's content cannot be used, or its rows. */
function decode(text: string, key: TextStoreKey): Float32Array | string {
  let file: Partial<ClassEmbeddingsFile>;
  try {
    file = JSON.parse(text) as Partial<ClassEmbeddingsFile>;
  } catch {
    return 'is not JSON (truncated?)';
  }
  if (file?.format !== FORMAT || file.version !== VERSION) return `is not a version ${VERSION} msclip-bench class embeddings file`;
  if (canonicalJson(file.key) !== canonicalJson(key)) return 'holds another key (text tower, templates, classes or runtime)';
  const bytes = Buffer.from(String(file.embeddings), 'base64');
  const dimension = Number(file.dimension);
  if (!Number.isInteger(dimension) || dimension < 1 || bytes.length !== key.classes.length * dimension * 4) return `holds ${bytes.length} bytes, not ${key.classes.length} rows of ${String(file.dimension)} floats`;
  const rows = new Float32Array(key.classes.length * dimension);
  new Uint8Array(rows.buffer).set(bytes);
  return rows;
}

/** The cached class embeddings, or undefined (with a note when a file was there but unusable). */
export function readClassEmbeddings(options: TextCacheOptions): ClassEmbeddings | undefined {
  const file = textCacheFile(options);
  let rows: Float32Array | string;
  try {
    rows = decode(readFileSync(file, 'utf8'), options.key);
  } catch (error) {
    // Not cached yet: no note.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    rows = `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (typeof rows === 'string') {
    options.onNote?.(`${file} ${rows}: ignored, the class embeddings are computed again`);
    return undefined;
  }
  return { embeddings: rows, dimension: rows.length / options.key.classes.length, file };
}

/** Stores classes x dimension class embeddings for the key; returns the file. */
export function writeClassEmbeddings(options: TextCacheOptions & { embeddings: Float32Array }): string {
  const { classes } = options.key;
  const dimension = options.embeddings.length / classes.length;
  if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`text cache: ${options.embeddings.length} floats are not ${classes.length} class rows`);
  const file = textCacheFile(options);
  const { embeddings } = options;
  const content: ClassEmbeddingsFile = {
    format: FORMAT, version: VERSION, key: options.key, dimension,
    // Typed arrays are host-endian; every platform Node supports is little-endian.
    embeddings: Buffer.from(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength).toString('base64'),
    created: new Date().toISOString(), package_version: provenanceBase().package_version,
  };
  writeFileAtomic(file, `${JSON.stringify(content)}\n`);
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
