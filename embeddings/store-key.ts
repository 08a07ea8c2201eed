/**
 * What a stored embedding depends on, so that the store serves one only when encoding
 * again would give the same floats.
 *
 * - The key (one per chunk file, in its metadata, and hashed into its folder name):
 *   the image tower's verified sha256, the preprocessing spec and DATA_PATH_VERSION,
 *   the ONNX Runtime version and execution provider, and the dataset.
 * - The stamp (one per row): the size and modification time of every file the item
 *   is read from (a BigEarthNet patch is 12 band files). The item's id, relative to
 *   the dataset root, names the row, so machines that mount the data at different
 *   paths share a store.
 *
 * Imports core, datasets and preprocess vocabulary only.
 */
import { createHash, hash } from 'node:crypto';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { DatasetItem } from '../datasets/types.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';

/** The runtime that produced an embedding: another build or provider may round differently. */
export interface RuntimeKey {
  /** onnxruntime-node's version (adapters/onnx.ts: onnxRuntimeVersion). */
  version: string;
  /** The execution provider that ran the tower: cpu, cuda, webgpu. */
  provider: string;
}

export interface ImageStoreKey {
  /** sha256 of the bundle's image tower, as verified when the bundle was opened. */
  imageTowerSha256: string;
  preprocessing: PreprocessSpec;
  /** preprocess/spec.ts DATA_PATH_VERSION. */
  dataPathVersion: number;
  onnxRuntime: RuntimeKey;
  /** The dataset's registry name (or a user folder's name). */
  dataset: string;
}

export interface TextStoreKey {
  /** sha256 of the bundle's text tower. */
  textTowerSha256: string;
  /** sha256 of the template set's content (the record's templates_sha256). */
  templatesSha256: string;
  /** Prompt class names, in logit column order. */
  classes: string[];
  onnxRuntime: RuntimeKey;
}

/** JSON with sorted keys, so that key order never makes two equal keys differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).filter((key) => record[key] !== undefined).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of the key's canonical JSON. */
export function keyDigest(key: ImageStoreKey | TextStoreKey): string {
  return createHash('sha256').update(canonicalJson(key)).digest('hex');
}

/** One file as it was when read: size in bytes and modification time in whole milliseconds. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

/**
 * An item's stamp: 32 hex digits of the sha256 of its files' sizes and modification
 * times, in the item's file order. Whole milliseconds, so that file systems that keep
 * micro- or nanoseconds agree; a copy that does not keep times (plain cp, a tar
 * archive without them) changes the stamp, and those images are encoded again.
 */
export function stampOf(files: readonly FileStamp[]): string {
  return hash('sha256', files.map((file) => `${file.size}:${Math.floor(file.mtimeMs)}`).join(';')).slice(0, 32);
}

/** Stands for "no stamp" in a run of stamps (stampRun): not a hex digit. */
const NO_STAMP = '-'.repeat(32);

/**
 * The stamps of items whose files are `paths` (every item's files, NUL-separated: no
 * path holds a NUL) in runs of `counts[item]`, as one string of 32 characters per item
 * (NO_STAMP where a file cannot be statted). `stat` and `digest` are passed in: the same
 * function runs in this thread and, as source text, in a stamp thread (stampItemsAsync),
 * where it must not reach anything outside itself. Flat strings in and out, because a
 * thread's messages are copies: 125,866 small arrays and strings would cost more to copy
 * and to hold than the stat calls save.
 */
function stampRun(paths: string, counts: Uint32Array, stat: (path: string) => { size: number; mtimeMs: number }, digest: (text: string) => string): string {
  const out: string[] = [];
  let start = 0;
  // Plain loops and one string per item: this runs for every image of every cached run.
  for (let index = 0; index < counts.length; index++) {
    let text = '';
    let failed = false;
    for (let file = 0; file < counts[index]; file++) {
      let end = paths.indexOf('\0', start);
      if (end < 0) end = paths.length;
      if (!failed) {
        try {
          const stats = stat(paths.slice(start, end));
          text += `${file > 0 ? ';' : ''}${stats.size}:${Math.floor(stats.mtimeMs)}`;
        } catch {
          failed = true;
        }
      }
      start = end + 1;
    }
    out.push(failed ? '-'.repeat(32) : digest(text).slice(0, 32)); // '-'.repeat(32): NO_STAMP, which this function cannot reach
  }
  return out.join('');
}

/** stampRun's input for some items. */
function runInput(items: readonly DatasetItem[]): { paths: string; counts: Uint32Array } {
  const counts = new Uint32Array(items.length);
  const parts: string[] = [];
  for (let index = 0; index < items.length; index++) {
    counts[index] = items[index].files.length;
    for (const file of items[index].files) parts.push(file);
  }
  return { paths: parts.join('\0'), counts };
}

/** stampRun's output as one stamp (or null) per item: slices of the one string. */
function runOutput(run: string, count: number): (string | null)[] {
  if (run.length !== count * 32) throw new Error(`store: ${run.length / 32} stamps for ${count} items`);
  const stamps = new Array<string | null>(count);
  for (let index = 0; index < count; index++) {
    const stamp = run.slice(index * 32, (index + 1) * 32);
    stamps[index] = stamp === NO_STAMP ? null : stamp;
  }
  return stamps;
}

const sha256Hex = (text: string): string => hash('sha256', text);

/**
 * The current stamp of every item, or `null` where a file cannot be statted (that
 * item is then reported missing, and reading it will say why).
 *
 * Synchronous statSync: on a local disk it is about twice as fast as the promise API
 * (measured: 125,866 files, 1.4 s against 2.8 s at 64 in flight on the loaded 2-core
 * machine).
 */
export function stampItems(items: readonly DatasetItem[]): (string | null)[] {
  const { paths, counts } = runInput(items);
  return runOutput(stampRun(paths, counts, statSync, sha256Hex), items.length);
}

/** Below this many items a thread costs more to start than the stat calls it would take over. */
const STAMP_THREAD_MIN_ITEMS = 10_000;

/**
 * The items' stamps: on a thread of its own (stampItemsAsync) when there is other work
 * to overlap them with, else here.
 */
export function takeStamps(items: readonly DatasetItem[], overlap: boolean): Promise<(string | null)[]> {
  return overlap ? stampItemsAsync(items) : Promise.resolve(stampItems(items));
}

/**
 * stampItems on a thread of its own, so that a store lookup decodes its chunk files
 * while the files of its items are statted (125,866 stat calls and the decoding of as
 * many rows each take about 0.4 s on the development machine). The thread runs
 * stampRun's own source text (a plain function, no imports), so there is no second copy
 * of it and no worker file to ship. Small lookups stat in this thread.
 */
export function stampItemsAsync(items: readonly DatasetItem[]): Promise<(string | null)[]> {
  if (items.length < STAMP_THREAD_MIN_ITEMS) return Promise.resolve(stampItems(items));
  const source = [
    "const { parentPort, workerData } = require('node:worker_threads');",
    "const { statSync } = require('node:fs');",
    "const { hash } = require('node:crypto');",
    `const stampRun = ${stampRun.toString()};`,
    "parentPort.postMessage(stampRun(workerData.paths, workerData.counts, statSync, (text) => hash('sha256', text)));",
  ].join('\n');
  return new Promise((resolve) => {
    let settled = false;
    // Whatever goes wrong with the thread (it cannot start, it crashes), the stamps are taken here instead.
    const fallBack = (): void => {
      if (settled) return;
      settled = true;
      resolve(stampItems(items));
    };
    try {
      // A small young generation: the thread's garbage is short strings and stat results.
      const worker = new Worker(source, { eval: true, workerData: runInput(items), resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      worker.once('message', (run: string) => {
        if (settled) return;
        let stamps: (string | null)[];
        try {
          stamps = runOutput(run, items.length);
        } catch {
          fallBack();
          return;
        }
        settled = true;
        resolve(stamps);
      });
      worker.once('error', fallBack);
      worker.once('exit', fallBack);
    } catch {
      fallBack();
    }
  });
}
