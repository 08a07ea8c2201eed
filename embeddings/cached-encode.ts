/**
 * encodeItems with the embedding store in front: the one way the commands get image
 * embeddings.
 *
 *  1. the share of the items this run owns (--shard I/N: a contiguous, batch-aligned
 *     block of every dataset; all of them otherwise);
 *  2. per encoder, look the items up in the store (store.ts; keyed by its image tower,
 *     preprocessing, runtime and dataset);
 *  3. --cache-only: anything missing is one error line naming it;
 *  4. encode what any encoder misses, once, through encodeItems (one data path pass
 *     for the whole preprocessing group); each batch goes into the result and into a
 *     chunk writer per encoder, which writes a file every chunkRowsFor(batchSize)
 *     rows (about CHUNK_ROWS, whole batches) or MAX_PENDING_SECONDS, so a run killed at any point (SIGKILL included) loses at
 *     most a chunk per encoder, and an interrupted one (SIGINT, SIGTERM from the
 *     command line) writes what it holds before it exits;
 *  5. the rows of the readable items, in item order, and where they came from.
 *
 * Chunks hold a whole number of batches and a shard starts on a batch boundary, so a
 * restarted or sharded run forms the same batches as an uninterrupted one: the floats
 * cannot depend on how a run was cut up, even on a runtime whose kernels would round
 * differently with the batch's composition.
 *
 * Imports adapters (the encoders, the runtime's version), preprocess, core and its siblings.
 */
import { relative } from 'node:path';
import type { ImageTextEncoder } from '../adapters/types.ts';
import { onnxRuntimeVersion } from '../adapters/onnx.ts';
import { ErrorCode, quoted, shownPath, UserError } from '../core/errors.ts';
import { onInterrupt } from '../core/interrupt.ts';
import { DATA_PATH_VERSION, type PreprocessSpec } from '../preprocess/spec.ts';
import { encodeItems, type EncodedItems, type EncodeOptions } from './encode.ts';
import { CHUNK_ROWS, openStore, type Lookup, type Shard, type StampSource } from './store.ts';
import { takeStamps, type ImageStoreKey } from './store-key.ts';

export type { Shard } from './store.ts';

/** Where embeddings are kept and how this run may use them (absent: --no-cache). */
export interface StoreSettings {
  /** The store's root folder (--cache-dir). */
  dir: string;
  /** Never encode: anything the store lacks is an error (--cache-only). */
  cacheOnly?: boolean;
  /** Encode only this share of the items into the store (--shard I/N). */
  shard?: Shard;
  /** The key's dataset name when the items are a user's images (no registry dataset). */
  dataset?: string;
  /** Rows per chunk file; a multiple of the batch size (default chunkRowsFor(batchSize)). */
  chunkRows?: number;
  onNote?: (note: string) => void;
}

type StoreEncoder = Pick<ImageTextEncoder, 'encodeImages' | 'manifest' | 'provider'>;

export interface CachedEncodeOptions extends Omit<EncodeOptions, 'encoders' | 'onBatch' | 'collect'> {
  encoders: readonly StoreEncoder[];
  store?: StoreSettings;
  /** Called once the store was asked, before encoding: images in this run's share, found, to encode. */
  onPlan?: (plan: { total: number; cached: number; toEncode: number }) => void;
}

/** Where one encoder's rows came from: the record's provenance.embeddings. */
export interface StoreUse {
  /** Rows this run encoded. */
  encoded: number;
  /** Rows read from the store. */
  fromStore: number;
  /** The chunk files read or written, relative to the store's root (sorted). */
  files: string[];
}

export interface CachedEncodedItems extends EncodedItems {
  /** Per encoder. */
  store: StoreUse[];
}

/** The store key of an encoder's embeddings of a dataset's items. */
export function imageStoreKey(encoder: Pick<ImageTextEncoder, 'manifest' | 'provider'>, spec: PreprocessSpec, dataset: string): ImageStoreKey {
  const { manifest } = encoder;
  const imageTowerSha256 = manifest.files[manifest.image.file];
  // Bundles are verified on load, so this hash is the tower that runs; without it a
  // changed tower could be served old embeddings.
  if (!imageTowerSha256) throw new Error(`${manifest.name}: the manifest lists no sha256 for its image tower ${manifest.image.file}`);
  return { imageTowerSha256, preprocessing: spec, dataPathVersion: DATA_PATH_VERSION, onnxRuntime: { version: onnxRuntimeVersion(), provider: encoder.provider }, dataset };
}

/** Rows per chunk file: about CHUNK_ROWS, a whole number of batches. */
export function chunkRowsFor(batchSize: number): number {
  return Math.max(1, Math.round(CHUNK_ROWS / batchSize)) * batchSize;
}

/** Shard I of N's items: a contiguous block of whole batches, [start, end). */
export function shardRange(count: number, shard: Shard, batchSize: number): { start: number; end: number } {
  const batches = Math.ceil(count / batchSize);
  const first = Math.floor(((shard.index - 1) * batches) / shard.count);
  const last = Math.floor((shard.index * batches) / shard.count);
  return { start: Math.min(count, first * batchSize), end: Math.min(count, last * batchSize) };
}

/** Step 3's error: one line naming the first missing images of every encoder. */
function missingError(total: number, missing: { model: string; folder: string; ids: string[] }[]): UserError {
  const shown = 5;
  const parts = missing.map(({ model, folder, ids }) => {
    const names = ids.slice(0, shown).map(quoted).join(', ');
    return `${model}: ${ids.length} of ${total} image(s) not in the store (${shownPath(folder)}): ${names}${ids.length > shown ? ` and ${ids.length - shown} more` : ''}`;
  });
  return new UserError(ErrorCode.usage, `--cache-only: ${parts.join('; ')}; run without --cache-only to encode them, or finish the --shard runs that own them`);
}

export async function encodeWithStore(options: CachedEncodeOptions): Promise<CachedEncodedItems> {
  const { items, encoders, store: settings } = options;
  if (!settings) {
    options.onPlan?.({ total: items.length, cached: 0, toEncode: items.length });
    const encoded = await encodeItems(options);
    return { ...encoded, store: encoders.map(() => ({ encoded: encoded.kept.length, fromStore: 0, files: [] })) };
  }
  const started = performance.now();
  const dataset = options.dataset ?? settings.dataset;
  if (dataset === undefined) throw new Error('encodeWithStore: a store needs the dataset name of its items');
  // 1. This run's share.
  const { start, end } = settings.shard ? shardRange(items.length, settings.shard, options.batchSize) : { start: 0, end: items.length };
  const share = start === 0 && end === items.length ? items : items.slice(start, end);
  // 2. What the store holds, per encoder.
  const stores = encoders.map((encoder) => openStore({ dir: settings.dir, key: imageStoreKey(encoder, options.spec, dataset), dimension: encoder.manifest.embeddingSize, onNote: settings.onNote }));
  const lookups: Lookup[] = [];
  // One set of stat calls for every store, taken as the first lookup asks (on a thread when it has files to decode).
  let taken: Promise<(string | null)[]> | undefined;
  const stamps: StampSource = (overlap) => (taken ??= takeStamps(share, overlap));
  for (const store of stores) lookups.push(await store.lookup(share, stamps));
  const toEncode: number[] = [];
  for (let index = 0; index < share.length; index++) if (lookups.some((lookup) => !lookup.found[index])) toEncode.push(index);
  // 3. --cache-only.
  if (settings.cacheOnly && toEncode.length > 0) {
    throw missingError(share.length, lookups.flatMap((lookup, index) => (lookup.missing.length === 0 ? [] : [{
      model: encoders[index].manifest.name, folder: stores[index].folder, ids: lookup.missing.map((item) => share[item].id),
    }])));
  }
  options.onPlan?.({ total: share.length, cached: share.length - toEncode.length, toEncode: toEncode.length });
  // 4. Encode what is missing; every batch goes to the result and the writers.
  const sizes = encoders.map((encoder) => encoder.manifest.embeddingSize);
  const encodedNow = new Uint8Array(share.length);
  const encodedCounts = encoders.map(() => 0);
  let pass: EncodedItems = { embeddings: [], kept: [], modelSeconds: encoders.map(() => 0), seconds: 0 };
  if (toEncode.length > 0) {
    const chunkRows = settings.chunkRows ?? chunkRowsFor(options.batchSize);
    const writers = stores.map((store) => store.writer({ shard: settings.shard, chunkRows }));
    const pending = toEncode.map((index) => share[index]);
    // Interrupted (Ctrl-C, a scheduler's SIGTERM): the rows held so far become a last chunk.
    const release = onInterrupt('saved the embeddings encoded so far (a rerun encodes only the rest)', () => {
      // Every writer gets its turn, whatever an earlier one threw (a full disk says so after).
      const failures: unknown[] = [];
      for (const writer of writers) {
        try {
          writer.close();
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) throw failures[0];
    });
    try {
      pass = await encodeItems({
        ...options,
        items: pending,
        collect: false,
        onSkip: options.onSkip && ((entry) => options.onSkip!({ ...entry, index: start + toEncode[entry.index] })),
        onBatch: (indices, rows) => {
          for (const [encoderIndex, lookup] of lookups.entries()) {
            const size = sizes[encoderIndex];
            const batchRows = rows[encoderIndex];
            // Only rows the store lacks are kept and written; a stored row stays as stored.
            const wanted = indices.flatMap((pendingIndex, row) => (lookup.found[toEncode[pendingIndex]] ? [] : [row]));
            for (const row of wanted) lookup.embeddings.set(batchRows.subarray(row * size, (row + 1) * size), toEncode[indices[row]] * size);
            encodedCounts[encoderIndex] += wanted.length;
            let written = batchRows;
            if (wanted.length < indices.length) {
              written = new Float32Array(wanted.length * size);
              wanted.forEach((row, position) => written.set(batchRows.subarray(row * size, (row + 1) * size), position * size));
            }
            writers[encoderIndex].add(wanted.map((row) => pending[indices[row]]), written);
          }
          for (const pendingIndex of indices) encodedNow[toEncode[pendingIndex]] = 1;
        },
      });
    } finally {
      // Also on failure: what was encoded before a bad image is kept for the next run.
      release();
      for (const writer of writers) writer.close();
    }
  }
  // 5. Rows of the items every encoder has, in item order.
  const kept: number[] = [];
  for (let index = 0; index < share.length; index++) {
    if (encodedNow[index] || lookups.every((lookup) => lookup.found[index])) kept.push(index);
  }
  const embeddings = lookups.map((lookup, encoderIndex) => {
    if (kept.length === share.length) return lookup.embeddings;
    const size = sizes[encoderIndex];
    const rows = new Float32Array(kept.length * size);
    kept.forEach((index, row) => rows.set(lookup.embeddings.subarray(index * size, (index + 1) * size), row * size));
    return rows;
  });
  return {
    embeddings,
    kept: start === 0 ? kept : kept.map((index) => start + index),
    modelSeconds: pass.modelSeconds,
    seconds: (performance.now() - started) / 1000,
    store: stores.map((store, index) => ({
      encoded: encodedCounts[index],
      fromStore: kept.length - encodedCounts[index],
      files: store.files().map((file) => relative(settings.dir, file)),
    })),
  };
}
