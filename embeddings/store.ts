/**
 * The embedding store: every image encoded once, kept as Parquet, found again by
 * content. A run asks for its items (lookup), encodes only the missing ones and hands
 * them to a writer, which writes a chunk file as soon as it holds CHUNK_ROWS of them
 * or its oldest row has waited MAX_PENDING_SECONDS; so a run killed at any point keeps
 * all but its last partial chunk, and an interrupted one (SIGINT, SIGTERM) keeps that too.
 *
 * Layout under the store's root (`--cache-dir`, default $XDG_CACHE_HOME/msclip-bench):
 *
 *   embeddings/images/<dataset>/<key digest, 16 hex>/<shard>-<writer>-<n>.parquet
 *   embeddings/text/<key digest>.json               (text-cache.ts: class embeddings)
 *
 * Each chunk file holds one (model, preprocessing, dataset): columns `id` (the image id,
 * relative to the dataset root), `stamp` (store-key.ts: the sizes and modification
 * times of the item's files) and `embedding` (list<float32>, L2-normalised as the
 * encoder returned it), and the key in its key-value metadata under "msclip-bench".
 *
 * Files are written to a temporary name and hard-linked into place (never replacing
 * one), with a random writer tag in every name, so concurrent runs and the shards of
 * a cluster job on a shared file system write disjoint files without locks (two
 * unsharded runs of the same items at once may both store an image; readers take
 * either row, they are the same floats). A writer removes the temporary files that
 * killed writers on its host left in its folder. A file
 * that cannot be read whole, or holds another key, is left alone with a note and its
 * images are encoded again; a row whose stamp no longer matches is never served.
 *
 * Imports core, datasets vocabulary and its siblings.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { userCacheRoot } from '../core/project.ts';
import type { DatasetItem } from '../datasets/types.ts';
import { sweepLeftovers, writeFileIfAbsent } from '../core/atomic.ts';
import { encodeStoreFile, readStoreFile, type StoreRows } from './store-file.ts';
import { keyDigest, takeStamps, type ImageStoreKey } from './store-key.ts';

/** Images per chunk file: about 2 MB at 512 floats, small enough to lose little to a kill. */
export const CHUNK_ROWS = 1000;
/**
 * ... and at most this many seconds of encoding per chunk: ViT-B/16 on 2 CPU cores
 * encodes about 7 images/s, so a full chunk would hold 2-3 minutes of work that a
 * SIGKILL (an out-of-memory kill, a node lost) throws away. SIGINT and SIGTERM lose
 * nothing: the rows held are written as a last chunk (core/interrupt.ts).
 */
export const MAX_PENDING_SECONDS = 30;

/** The default root: `$XDG_CACHE_HOME/msclip-bench` or `~/.cache/msclip-bench`. */
export function defaultStoreRoot(): string {
  return userCacheRoot();
}

export interface StoreOptions {
  /** The store's root folder (`--cache-dir`); default defaultStoreRoot(). */
  dir?: string;
  key: ImageStoreKey;
  /** Floats per embedding (the manifest's embeddingSize); files of another size are passed over. */
  dimension: number;
  /** Called once per note (a file ignored, images changed since they were encoded). */
  onNote?: (note: string) => void;
}

export interface Lookup {
  /**
   * items.length x dimension, in items order: the stored rows, zeros for the missing
   * ones (the caller writes what it encodes there). One allocation, ready for scoring.
   */
  embeddings: Float32Array;
  /** Per item, whether its row came from the store. */
  found: boolean[];
  /** How many rows came from the store. */
  foundCount: number;
  /** Indices in `items` that must be encoded, in order. */
  missing: number[];
  /** How many of `missing` have a stored row whose files changed since. */
  stale: number;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface WriterOptions {
  shard?: Shard;
  /** Rows per chunk file (default CHUNK_ROWS). */
  chunkRows?: number;
  /** A chunk is also written once its oldest row has waited this long (default MAX_PENDING_SECONDS). */
  maxPendingSeconds?: number;
}

/**
 * The items' stamps, asked for once the lookup has listed its chunk files: `overlap` is
 * true when there are files to decode meanwhile (then a thread is worth starting).
 */
export type StampSource = (overlap: boolean) => Promise<(string | null)[]>;

export interface StoreWriter {
  /** Takes encoded rows (items.length x dimension, in items order); writes every full chunk. */
  add(items: readonly DatasetItem[], rows: Float32Array): void;
  /** Writes what is left as a last, shorter chunk. Returns the files this writer wrote. */
  close(): string[];
}

export interface EmbeddingStore {
  /** The folder of this key's chunk files. */
  readonly folder: string;
  readonly key: ImageStoreKey;
  /** Notes so far (also passed to onNote). */
  readonly notes: string[];
  /**
   * What the store holds of `items`. `stamps` lets several stores of one run share one
   * set of stat calls (see StampSource); by default the lookup takes its own.
   */
  lookup(items: readonly DatasetItem[], stamps?: StampSource): Promise<Lookup>;
  writer(options?: WriterOptions): StoreWriter;
  /** The chunk files rows were read from or written to, for provenance (sorted). */
  files(): string[];
}

/**
 * A file or folder name from free text (a user folder's dataset name); a long one (a
 * deep folder path) is cut and told apart by a hash of the whole.
 */
function safeName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9._-]+/g, '_') || '_';
  return name.length <= 80 ? name : `${name.slice(0, 60)}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** The folder that holds a key's chunk files. */
export function storeFolder(root: string, key: ImageStoreKey): string {
  return join(root, 'embeddings', 'images', safeName(key.dataset), keyDigest(key).slice(0, 16));
}

/** Chunk files of a folder, sorted (temporary files start with a dot and are skipped). */
function chunkFiles(folder: string): string[] {
  try {
    return readdirSync(folder).filter((name) => name.endsWith('.parquet') && !name.startsWith('.')).sort().map((name) => join(folder, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export function openStore(options: StoreOptions): EmbeddingStore {
  if (!Number.isInteger(options.dimension) || options.dimension < 1) throw new Error(`store: dimension must be a positive integer, got ${options.dimension}`);
  const root = options.dir ?? defaultStoreRoot();
  const key = options.key;
  const folder = storeFolder(root, key);
  const notes: string[] = [];
  const note = (text: string): void => {
    notes.push(text);
    options.onNote?.(text);
  };
  const used = new Set<string>();
  /**
   * Every stamp taken at lookup, before the items are read (null: a file could not be
   * statted; undefined: the lookup has not got its stamps, or failed to), and per id the
   * position of its latest one: what the writer records. One map for both the writer
   * and lookup's "which item wants this row" (a second map of 100k+ ids costs a visible
   * share of a cached run).
   */
  const stampTable: (string | null | undefined)[] = [];
  const stampPosition = new Map<string, number>();
  const ignored = new Set<string>();

  /** A decoded chunk file, or null when it is passed over (with a note, once per file). */
  function readChunk(file: string, scratch: Float32Array): StoreRows | null {
    const chunk = readStoreFile(file, 'image', key, scratch);
    if (typeof chunk !== 'string' && (chunk.ids.length === 0 || chunk.dimension === options.dimension)) return chunk;
    const problem = typeof chunk === 'string' ? chunk : `has rows of ${chunk.dimension} floats, this model's have ${options.dimension}`;
    if (!ignored.has(file)) note(`${file} ${problem}: ignored, its images are encoded again`);
    ignored.add(file);
    return null;
  }

  /**
   * Two steps, so that the stat calls (a thread of their own for big lookups) overlap
   * the decoding: first every chunk's rows are copied into place without knowing the
   * items' stamps, keeping the stamp each row was stored with (and, rarely, other rows
   * met for the same id: an image encoded again after a change); then each held row is
   * kept only if its stored stamp equals the item's stamp now. Files not read because
   * every id was already held are read afterwards for ids whose held row turned out stale.
   */
  async function lookup(items: readonly DatasetItem[], stampSource: StampSource = (overlap) => takeStamps(items, overlap)): Promise<Lookup> {
    const { dimension } = options;
    const files = chunkFiles(folder);
    const pendingStamps = stampSource(files.length > 0);
    // This lookup's stamps start at `base`; an id's position - base is the index of its
    // first item here (duplicates in `items` share that row).
    const base = stampTable.length;
    /** Per item, the index of the first item with its id (itself unless a duplicate). */
    const firstOf = new Int32Array(items.length);
    let uniqueCount = 0;
    for (let index = 0; index < items.length; index++) {
      stampTable.push(undefined);
      const id = items[index].id;
      const position = stampPosition.get(id) ?? -1;
      if (position >= base) {
        firstOf[index] = position - base;
        continue;
      }
      stampPosition.set(id, base + index);
      firstOf[index] = index;
      uniqueCount += 1;
    }
    const firstIndex = (id: string): number | undefined => {
      const position = stampPosition.get(id);
      return position !== undefined && position >= base ? position - base : undefined;
    };
    const embeddings = new Float32Array(items.length * dimension);
    /** Per first index: the stamp of the row held in `embeddings` (undefined: none yet). */
    const held = new Array<string | undefined>(items.length);
    /** Other rows met for a held id, with other stamps (rare: re-encoded images). */
    const others = new Map<number, { stamp: string; row: Float32Array; file: number }[]>();
    /** Per first index: the chunk file (index in `files`) its row was served from. */
    const servedFrom = new Int32Array(items.length).fill(-1);
    let heldCount = 0;
    // One decoding buffer for every file: rows are copied out into `embeddings`. A
    // bigger chunk (1,024 rows at batch 64) decodes into fresh memory once, which is
    // then kept as the buffer (fresh pages cost far more than a copy).
    let scratch: Float32Array = new Float32Array(CHUNK_ROWS * dimension);
    const read = (file: string): StoreRows | null => {
      const chunk = readChunk(file, scratch);
      if (chunk && chunk.values.buffer !== scratch.buffer) scratch = chunk.values;
      return chunk;
    };
    let next = 0;
    for (; next < files.length && heldCount < uniqueCount; next++) {
      const chunk = read(files[next]);
      if (!chunk) continue;
      // Runs of rows that land on consecutive items are copied in one go.
      let runRow = 0;
      let runIndex = -1;
      let runLength = 0;
      const flushRun = (): void => {
        if (runLength > 0) embeddings.set(chunk.values.subarray(runRow * dimension, (runRow + runLength) * dimension), runIndex * dimension);
        runLength = 0;
      };
      for (let row = 0; row < chunk.ids.length; row++) {
        const index = firstIndex(chunk.ids[row]);
        if (index === undefined) continue;
        const stamp = chunk.stamps?.[row] ?? '';
        const current = held[index];
        if (current === undefined) {
          held[index] = stamp;
          heldCount += 1;
          servedFrom[index] = next;
          if (runLength > 0 && index === runIndex + runLength && row === runRow + runLength) runLength += 1;
          else {
            flushRun();
            runRow = row;
            runIndex = index;
            runLength = 1;
          }
        } else if (current !== stamp) {
          const list = others.get(index) ?? [];
          if (!list.some((other) => other.stamp === stamp)) list.push({ stamp, row: chunk.values.slice(row * dimension, (row + 1) * dimension), file: next });
          others.set(index, list);
        }
      }
      flushRun();
    }
    const stamps = await pendingStamps;
    if (stamps.length !== items.length) throw new Error(`store: ${stamps.length} stamps for ${items.length} items`);
    for (let index = 0; index < items.length; index++) stampTable[base + index] = stamps[index];
    const found = new Array<boolean>(items.length).fill(false);
    const changed = new Set<number>();
    const unresolved = new Set<number>();
    for (let index = 0; index < items.length; index++) {
      if (firstOf[index] !== index || stamps[index] === null) continue;
      const stamp = stamps[index];
      if (held[index] === stamp) found[index] = true;
      else {
        const other = others.get(index)?.find((candidate) => candidate.stamp === stamp);
        if (other) {
          embeddings.set(other.row, index * dimension);
          servedFrom[index] = other.file;
          found[index] = true;
        } else {
          if (held[index] !== undefined) changed.add(index);
          unresolved.add(index);
        }
      }
    }
    // Files skipped above (every id already held) may hold the current row of an id whose held row is stale.
    for (; next < files.length && unresolved.size > 0; next++) {
      const chunk = read(files[next]);
      if (!chunk) continue;
      for (let row = 0; row < chunk.ids.length; row++) {
        const index = firstIndex(chunk.ids[row]);
        if (index === undefined || !unresolved.has(index) || chunk.stamps?.[row] !== stamps[index]) continue;
        embeddings.set(chunk.values.subarray(row * dimension, (row + 1) * dimension), index * dimension);
        found[index] = true;
        servedFrom[index] = next;
        unresolved.delete(index);
      }
    }
    // Provenance names the files rows were served from, not every file read.
    for (let index = 0; index < items.length; index++) if (found[index] && servedFrom[index] >= 0) used.add(files[servedFrom[index]]);
    for (let index = 0; index < items.length; index++) {
      const first = firstOf[index];
      if (first === index || !found[first]) continue;
      embeddings.copyWithin(index * dimension, first * dimension, (first + 1) * dimension);
      found[index] = true;
    }
    // A row held in the first step but not served (stale, or its files gone) is zeroed: missing rows are zeros.
    for (let index = 0; index < items.length; index++) {
      if (!found[index] && held[firstOf[index]] !== undefined) embeddings.fill(0, index * dimension, (index + 1) * dimension);
    }
    const missing: number[] = [];
    let stale = 0;
    for (let index = 0; index < items.length; index++) {
      if (found[index]) continue;
      missing.push(index);
      if (changed.has(firstOf[index])) stale += 1;
    }
    if (stale > 0) note(`${stale} image(s) of ${key.dataset} changed since they were encoded (file size or modification time): encoding them again`);
    return { embeddings, found, foundCount: items.length - missing.length, missing, stale };
  }

  function writer(writerOptions: WriterOptions = {}): StoreWriter {
    const chunkRows = writerOptions.chunkRows ?? CHUNK_ROWS;
    const maxPendingMs = (writerOptions.maxPendingSeconds ?? MAX_PENDING_SECONDS) * 1000;
    if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new Error(`store: chunkRows must be a positive integer, got ${chunkRows}`);
    const shard = writerOptions.shard ?? { index: 1, count: 1 };
    // The shard label is for people; the random tag keeps names apart across runs and machines.
    const prefix = `${String(shard.index).padStart(String(shard.count).length, '0')}of${shard.count}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
    const written: string[] = [];
    let sequence = 0;
    const { dimension } = options;
    let ids: string[] = [];
    let stamps: string[] = [];
    /** When the oldest row not yet in a file was added. */
    let pendingSince = 0;
    // Reused for every chunk: the file is written from views of it.
    const buffer = new Float32Array(chunkRows * dimension);
    // What killed writers on this host left here (temporary files of dead processes) goes first.
    const swept = sweepLeftovers(folder, () => undefined);
    if (swept.length > 0) note(`${folder}: removed ${swept.length} temporary file(s) left by a killed run`);

    const flush = (): void => {
      if (ids.length === 0) return;
      const bytes = encodeStoreFile('image', key, { ids, stamps, dimension, values: buffer.subarray(0, ids.length * dimension) }, { shard: `${shard.index}/${shard.count}` });
      mkdirSync(folder, { recursive: true });
      let file: string;
      do file = join(folder, `${prefix}-${String(++sequence).padStart(5, '0')}.parquet`);
      while (!writeFileIfAbsent(file, bytes));
      written.push(file);
      used.add(file);
      ids = [];
      stamps = [];
    };

    return {
      add(items, rows) {
        if (rows.length !== items.length * dimension) throw new Error(`store: ${rows.length} floats are not ${items.length} rows of ${dimension}`);
        for (const [row, item] of items.entries()) {
          const position = stampPosition.get(item.id);
          const stamp = position === undefined ? undefined : stampTable[position];
          if (stamp === undefined) throw new Error(`store: ${item.id} was not looked up before it was encoded (its stamp must be taken before its files are read)`);
          // A file that could not be statted at lookup gives no stamp to trust: not stored.
          if (stamp === null) continue;
          // Copied: the caller may reuse its batch buffer.
          buffer.set(rows.subarray(row * dimension, (row + 1) * dimension), ids.length * dimension);
          if (ids.length === 0) pendingSince = performance.now();
          ids.push(item.id);
          stamps.push(stamp);
          if (ids.length === chunkRows) flush();
        }
        // A slow encoder (a big tower on CPU) writes shorter chunks rather than risk minutes of work.
        if (ids.length > 0 && performance.now() - pendingSince >= maxPendingMs) flush();
      },
      close() {
        flush();
        return [...written];
      },
    };
  }

  // One lookup at a time: a lookup's second step reads the positions its first step set.
  let lookups: Promise<unknown> = Promise.resolve();
  const serialLookup = (items: readonly DatasetItem[], stamps?: StampSource): Promise<Lookup> => {
    const result = lookups.then(() => lookup(items, stamps));
    lookups = result.catch(() => undefined);
    return result;
  };
  return { folder, key, notes, lookup: serialLookup, writer, files: () => [...used].sort() };
}
