/**
 * One store file: an embedding table (parquet/format.ts) with the columns `id`,
 * `stamp` (image files only) and `embedding`, and under the key-value metadata entry
 * "msclip-bench" a JSON object saying what it holds (StoreFileMetadata). Reading
 * checks all of it and says why a file is not usable instead of throwing, so the
 * store can pass over it with a note.
 *
 * Imports core and its siblings.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { provenanceBase } from '../core/project.ts';
import { ParquetLayoutError } from './parquet/format.ts';
import { decodeEmbeddingTable, readFooter } from './parquet/read.ts';
import { encodeEmbeddingTableParts } from './parquet/write.ts';
import { canonicalJson, type ImageStoreKey, type TextStoreKey } from './store-key.ts';

/** The key-value metadata entry that holds a file's description. */
export const METADATA_KEY = 'msclip-bench';
/** Bumped when the file layout changes; files of another version are passed over with a note. */
export const STORE_FORMAT_VERSION = 1;

export type StoreFileKind = 'image' | 'text';

export interface StoreFileMetadata {
  format: 'msclip-bench-embeddings';
  version: number;
  kind: StoreFileKind;
  key: ImageStoreKey | TextStoreKey;
  dimension: number;
  rows: number;
  /** "I/N" of the shard that wrote it. */
  shard?: string;
  /** The model's registry name (saved --save-embeddings files; the key holds its tower's hash). */
  model?: string;
  created: string;
  package_version: string;
}

export interface StoreRows {
  ids: readonly string[];
  /** Image files only: per row, the stamp of the item's files (store-key.ts). */
  stamps?: readonly string[];
  /** Saved files only: per row, the image's absolute path. */
  paths?: readonly string[];
  dimension: number;
  /** ids.length x dimension. */
  values: Float32Array;
}

/** The file as parts to write in order (the floats are views of `rows.values`). */
export function encodeStoreFile(kind: StoreFileKind, key: ImageStoreKey | TextStoreKey, rows: StoreRows, about: Pick<StoreFileMetadata, 'shard' | 'model'> = {}): Uint8Array[] {
  const metadata: StoreFileMetadata = {
    format: 'msclip-bench-embeddings', version: STORE_FORMAT_VERSION, kind, key, dimension: rows.dimension, rows: rows.ids.length,
    ...about, created: new Date().toISOString(), package_version: provenanceBase().package_version,
  };
  const strings = [{ name: 'id', values: rows.ids }];
  if (rows.stamps) strings.push({ name: 'stamp', values: rows.stamps });
  if (rows.paths) strings.push({ name: 'path', values: rows.paths });
  return encodeEmbeddingTableParts({
    strings,
    embedding: { name: 'embedding', dimension: rows.dimension, values: rows.values },
    metadata: { [METADATA_KEY]: JSON.stringify(metadata) },
  }, { createdBy: `msclip-bench version ${metadata.package_version}` });
}

/**
 * One buffer for every file read: the rows are copied out of it, and fresh memory is
 * what reading costs most (a new page is ~20x slower to touch than a reused one on the
 * development machine).
 */
let readBuffer = Buffer.alloc(0);
const KEPT_BUFFER_BYTES = 64 * 2 ** 20;

function readWhole(file: string): Uint8Array {
  const descriptor = openSync(file, 'r');
  try {
    const size = fstatSync(descriptor).size;
    // Chunk files are a few MB; a big single file gets its own buffer, not kept after.
    let buffer = readBuffer;
    if (size > KEPT_BUFFER_BYTES) buffer = Buffer.allocUnsafe(size);
    else if (readBuffer.length < size) buffer = readBuffer = Buffer.allocUnsafe(Math.min(KEPT_BUFFER_BYTES, Math.max(size, 2 * readBuffer.length)));
    let read = 0;
    while (read < size) {
      const count = readSync(descriptor, buffer, read, size - read, read);
      if (count === 0) break;
      read += count;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(descriptor);
  }
}

/**
 * The file's rows, or why it cannot be used (truncated, foreign, another key or
 * version). The floats are a view of `scratch` when it is long enough (valid until
 * the next call with the same scratch), else fresh memory.
 */
export function readStoreFile(file: string, kind: StoreFileKind, key: ImageStoreKey | TextStoreKey, scratch?: Float32Array): StoreRows | string {
  const table = readStoreTable(file, kind, { scratch, key });
  return typeof table === 'string' ? table : table.rows;
}

/**
 * The file's description and rows, or why it cannot be used. With `key`, a file of
 * another key is refused before its rows are decoded.
 */
export function readStoreTable(file: string, kind: StoreFileKind, options: { scratch?: Float32Array; key?: ImageStoreKey | TextStoreKey } = {}): { metadata: StoreFileMetadata; rows: StoreRows } | string {
  const { key, scratch } = options;
  let bytes: Uint8Array;
  try {
    bytes = readWhole(file);
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  try {
    const footer = readFooter(bytes);
    let metadata: Partial<StoreFileMetadata> | null;
    try {
      metadata = JSON.parse(footer.metadata[METADATA_KEY] ?? 'null') as Partial<StoreFileMetadata> | null;
    } catch {
      return `has "${METADATA_KEY}" metadata that is not JSON`;
    }
    if (metadata?.format !== 'msclip-bench-embeddings' || metadata.kind !== kind) return `is not an msclip-bench ${kind} embeddings file`;
    if (metadata.version !== STORE_FORMAT_VERSION) return `is store format version ${String(metadata.version)}, this version reads ${STORE_FORMAT_VERSION}`;
    if (key !== undefined && canonicalJson(metadata.key) !== canonicalJson(key)) return `holds embeddings of another key (${kind === 'image' ? 'image tower, preprocessing, runtime or dataset' : 'text tower, templates, classes or runtime'})`;
    const table = decodeEmbeddingTable(bytes, footer, { scratch });
    const ids = table.strings.find((column) => column.name === 'id')?.values;
    const stamps = table.strings.find((column) => column.name === 'stamp')?.values;
    const paths = table.strings.find((column) => column.name === 'path')?.values;
    if (!ids) return 'has no id column';
    if (kind === 'image' && !stamps) return 'has no stamp column';
    if (table.embedding.dimension !== metadata.dimension && ids.length > 0) return `has rows of ${table.embedding.dimension} floats, its metadata says ${String(metadata.dimension)}`;
    return { metadata: metadata as StoreFileMetadata, rows: { ids, stamps, paths, dimension: table.embedding.dimension, values: table.embedding.values } };
  } catch (error) {
    if (error instanceof ParquetLayoutError) return error.message;
    throw error;
  }
}
