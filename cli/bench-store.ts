/**
 * The embedding store's figure in `npm run bench` (`--only store` runs it alone):
 * write, then read, BigEarthNet's test split worth of embeddings (125,866 x 512
 * float32, 258 MB) through embeddings/store.ts, each in its own process so that its
 * peak memory is its own. Targets on the 2-core development machine: write < 3 s,
 * read < 2 s, peak memory < 2x the matrix. Medians of --repeats rounds (each a fresh
 * store: write, then read), the largest peak memory of any round.
 *
 * "Read" is what a fully cached run pays: stat every item's files, check the stamps,
 * decode every chunk. The items all point at one small file, so the stat calls hit the
 * kernel's cache, as they would on a local disk after the first listing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetItem } from '../datasets/types.ts';
import { chunkRowsFor } from '../embeddings/cached-encode.ts';
import { openStore } from '../embeddings/store.ts';
import type { ImageStoreKey } from '../embeddings/store-key.ts';
import { DATA_PATH_VERSION } from '../preprocess/spec.ts';
import { log } from './flags.ts';
import { BENCH_DIMENSION, median, peakRssMiB, syntheticEmbeddings } from './bench-support.ts';

const BENCH_KEY: ImageStoreKey = {
  imageTowerSha256: '0'.repeat(64),
  preprocessing: { kind: 'multispectral', bands: ['B02', 'B03', 'B04'], size: 224, interpolation: 'bicubic', mean: [0, 0, 0], std: [1, 1, 1] },
  dataPathVersion: DATA_PATH_VERSION,
  onnxRuntime: { version: 'bench', provider: 'cpu' },
  dataset: 'BigEarthNet',
};

function benchItems(ids: readonly string[], file: string): DatasetItem[] {
  return ids.map((id) => ({ id, files: [file], labels: [] }));
}

interface PhaseResult {
  seconds: number;
  peakMiB: number;
  startMiB: number;
  rows: number;
  /** Read phase: seconds to allocate and first touch as many fresh bytes as the matrix, after the timing. */
  freshMemorySeconds?: number;
}

/** One phase in this process (the child side of runStoreBench). */
export async function storePhase(phase: 'store-write' | 'store-read', dir: string, rows: number): Promise<PhaseResult> {
  const tile = join(dir, 'tile.tif');
  const store = openStore({ dir: join(dir, 'store'), key: BENCH_KEY, dimension: BENCH_DIMENSION });
  if (phase === 'store-write') {
    writeFileSync(tile, 'one file every item is read from');
    const { ids, values } = syntheticEmbeddings(rows, BENCH_DIMENSION);
    const items = benchItems(ids, tile);
    const startMiB = process.memoryUsage().rss / 2 ** 20;
    const started = performance.now();
    const { missing } = await store.lookup(items);
    const batch = 64; // what the encoder hands over at a time
    // Chunks as evaluate writes them at its default batch size (1,024 rows).
    const writer = store.writer({ shard: { index: 1, count: 1 }, chunkRows: chunkRowsFor(batch) });
    if (missing.length !== rows) throw new Error(`bench store: ${rows - missing.length} rows found in a fresh store`);
    for (let start = 0; start < rows; start += batch) {
      const end = Math.min(rows, start + batch);
      writer.add(items.slice(start, end), values.subarray(start * BENCH_DIMENSION, end * BENCH_DIMENSION));
    }
    writer.close();
    return { seconds: (performance.now() - started) / 1000, peakMiB: peakRssMiB(), startMiB, rows: missing.length };
  }
  const ids = syntheticEmbeddings(rows, 1).ids; // the same ids, without the 258 MB of floats
  const items = benchItems(ids, tile);
  const startMiB = process.memoryUsage().rss / 2 ** 20;
  const started = performance.now();
  const { embeddings, foundCount, missing } = await store.lookup(items);
  const seconds = (performance.now() - started) / 1000;
  const peakMiB = peakRssMiB();
  if (missing.length > 0 || store.notes.length > 0) throw new Error(`bench store: ${missing.length} rows missing after writing them (${store.notes.join('; ')})`);
  // Spot-check the rows against the generator (after the timing and the memory peak).
  const expected = syntheticEmbeddings(Math.min(rows, 2000), BENCH_DIMENSION).values;
  for (let row = 0; row < Math.min(rows, 2000); row += 97) {
    for (let column = 0; column < BENCH_DIMENSION; column++) {
      if (embeddings[row * BENCH_DIMENSION + column] !== expected[row * BENCH_DIMENSION + column]) throw new Error(`bench store: row ${row} differs after the round trip`);
    }
  }
  // What any reader pays to hold the rows: fresh pages, first touched (slow on some VMs).
  const touchStarted = performance.now();
  new Float32Array(rows * BENCH_DIMENSION).fill(1);
  return { seconds, peakMiB, startMiB, rows: foundCount, freshMemorySeconds: (performance.now() - touchStarted) / 1000 };
}

export interface StoreBenchFigures {
  rows: number;
  repeats: number;
  dimension: number;
  matrixMB: number;
  storeMB: number;
  files: number;
  /** Median seconds and fresh-memory seconds, largest peak, over the rounds. */
  write: PhaseResult & { megabytesPerSecond: number; rounds: number[] };
  read: PhaseResult & { megabytesPerSecond: number; rounds: number[] };
}

/** One figure of several rounds: median times, the largest peak (and its start). */
function summarise(rounds: PhaseResult[], matrixMB: number): PhaseResult & { megabytesPerSecond: number; rounds: number[] } {
  const seconds = median(rounds.map((round) => round.seconds));
  const peak = rounds.reduce((largest, round) => (round.peakMiB > largest.peakMiB ? round : largest));
  const fresh = rounds.flatMap((round) => (round.freshMemorySeconds === undefined ? [] : [round.freshMemorySeconds]));
  return {
    seconds, peakMiB: peak.peakMiB, startMiB: peak.startMiB, rows: rounds[0].rows,
    ...(fresh.length > 0 ? { freshMemorySeconds: median(fresh) } : {}),
    megabytesPerSecond: matrixMB / seconds, rounds: rounds.map((round) => round.seconds),
  };
}

/** Runs both phases as child processes (`bench --phase store-write|store-read`), `repeats` rounds, and returns the figures. */
export function runStoreBench(rows: number, repeats: number): StoreBenchFigures {
  const dir = mkdtempSync(join(tmpdir(), 'msclip-bench-store-'));
  const storeDir = join(dir, 'store');
  try {
    const run = (phase: string): PhaseResult => {
      const args = [...process.execArgv, process.argv[1], 'bench', '--phase', phase, '--data-dir', dir, '--store-rows', String(rows)];
      const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (child.status !== 0) throw new Error(`bench: the ${phase} phase failed (exit ${child.status})`);
      return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as PhaseResult;
    };
    const matrixMB = (rows * BENCH_DIMENSION * 4) / 1e6;
    log(`bench store: ${rows} x ${BENCH_DIMENSION} float32 embeddings (${matrixMB.toFixed(0)} MB) through embeddings/store.ts in ${dir}, median of ${repeats}`);
    const writes: PhaseResult[] = [];
    const reads: PhaseResult[] = [];
    for (let round = 0; round < repeats; round++) {
      rmSync(storeDir, { recursive: true, force: true });
      writes.push(run('store-write'));
      reads.push(run('store-read'));
      log(`  round ${round + 1}/${repeats}: write ${writes[round].seconds.toFixed(2)} s, read ${reads[round].seconds.toFixed(2)} s`);
    }
    const files = readdirSync(storeDir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.parquet')).map((name) => join(storeDir, name));
    const storeMB = files.reduce((total, file) => total + statSync(file).size, 0) / 1e6;
    return {
      rows, repeats, dimension: BENCH_DIMENSION, matrixMB, storeMB, files: files.length,
      write: summarise(writes, matrixMB),
      read: summarise(reads, matrixMB),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function storeBenchLines(figures: StoreBenchFigures): string[] {
  const limitMiB = (2 * figures.matrixMB * 1e6) / 2 ** 20;
  const memory = (phase: PhaseResult): string => `largest peak ${phase.peakMiB.toFixed(0)} MiB (${phase.startMiB.toFixed(0)} at the start; target < ${limitMiB.toFixed(0)} = 2x the matrix)`;
  return [
    `store write:           median ${figures.write.seconds.toFixed(2)} s = ${figures.write.megabytesPerSecond.toFixed(0)} MB/s (target < 3 s), ${memory(figures.write)}; ${figures.files} files, ${figures.storeMB.toFixed(0)} MB on disk`,
    `store read:            median ${figures.read.seconds.toFixed(2)} s = ${figures.read.megabytesPerSecond.toFixed(0)} MB/s (target < 2 s), ${memory(figures.read)}; stats every item's files and decodes every chunk`,
    `                       (for scale: allocating and first touching ${figures.matrixMB.toFixed(0)} MB of fresh memory alone takes ${figures.read.freshMemorySeconds?.toFixed(2)} s in that process)`,
  ];
}
