/**
 * encodeWithStore on real image files through the real data path, with stand-in
 * encoders that count their calls: a second run encodes nothing and returns the same
 * floats, shards partition the items on batch boundaries and together fill the store,
 * --cache-only names what is missing in one line, a model added to a cached group is
 * the only one that encodes, a failing run keeps its finished batches, chunk files
 * hold whole batches, and unreadable items are skipped without entering the store.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isUserError } from '../../core/errors.ts';
import type { DatasetItem } from '../../datasets/types.ts';
import { chunkRowsFor, encodeWithStore, shardRange, type CachedEncodeOptions } from '../../embeddings/cached-encode.ts';
import { WorkerPool } from '../../preprocess/stream.ts';
import { openStore } from '../../embeddings/store.ts';
import { filesUnder } from '../support/files.ts';
import { projectRoot } from '../support/inference.ts';
import { encoder, makeItems as makeItemsIn, SPEC, type CountingEncoder } from '../support/stand-in-encoder.ts';

const work = mkdtempSync(join(tmpdir(), 'msclip-cached-encode-'));
const pool = new WorkerPool(0);
const makeItems = (count: number, name?: string): DatasetItem[] => makeItemsIn(work, count, name);

function options(items: DatasetItem[], encoders: CountingEncoder[], store: CachedEncodeOptions['store'], batchSize = 4): CachedEncodeOptions {
  return { pool, spec: SPEC, items, batchSize, encoders, skipInvalid: true, store: store && { dataset: 'test-set', ...store } };
}

async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  return assert.unreachable('expected a failure') as never;
}

const parquetFiles = (dir: string): string[] => filesUnder(dir, '.parquet');

test.after(async () => {
  await pool.close();
  rmSync(work, { recursive: true, force: true });
});

test('chunks hold whole batches; shards are contiguous, batch-aligned and cover every item once', () => {
  assert.is(chunkRowsFor(64), 1024);
  assert.is(chunkRowsFor(7), 1001);
  assert.is(chunkRowsFor(3000), 3000);
  for (const count of [0, 1, 5, 64, 150, 401, 125866]) {
    for (const batchSize of [1, 4, 64]) {
      for (const shards of [1, 2, 3, 7]) {
        let next = 0;
        for (let index = 1; index <= shards; index++) {
          const { start, end } = shardRange(count, { index, count: shards }, batchSize);
          assert.is(start, next, `shard ${index}/${shards} of ${count} starts where the last ended`);
          assert.ok(start === count || start % batchSize === 0, 'starts on a batch boundary');
          assert.ok(end >= start);
          next = end;
        }
        assert.is(next, count, `shards of ${count} (batch ${batchSize}) cover every item`);
      }
    }
  }
  // Balanced to a batch: 400 items in batches of 64 over 3 shards.
  assert.equal([1, 2, 3].map((index) => shardRange(400, { index, count: 3 }, 64)), [{ start: 0, end: 128 }, { start: 128, end: 256 }, { start: 256, end: 400 }]);
});

test('a second run reads every row from the store, encodes nothing and returns the same floats', async () => {
  const dir = join(work, 'store-a');
  const items = makeItems(11);
  const plain = await encodeWithStore(options(items, [encoder('A')], undefined));
  const first = encodeWithStore(options(items, [encoder('A')], { dir }));
  const cold = await first;
  assert.equal(cold.store, [{ encoded: 11, fromStore: 0, files: cold.store[0].files }]);
  assert.is(cold.store[0].files.length, 1);
  assert.equal([...cold.embeddings[0]], [...plain.embeddings[0]]);
  const again = encoder('A');
  const plans: unknown[] = [];
  const warm = await encodeWithStore({ ...options(items, [again], { dir }), onPlan: (plan) => plans.push(plan) });
  assert.equal(again.calls, [], 'nothing encoded');
  assert.equal(plans, [{ total: 11, cached: 11, toEncode: 0 }]);
  assert.equal(warm.store[0], { encoded: 0, fromStore: 11, files: cold.store[0].files });
  assert.equal([...warm.embeddings[0]], [...plain.embeddings[0]]);
  assert.equal(warm.kept, [...items.keys()]);
});

test('three shards fill the store; a --cache-only run then gets the unsharded floats without encoding', async () => {
  const dir = join(work, 'store-shards');
  const items = makeItems(23);
  const reference = await encodeWithStore(options(items, [encoder('A')], undefined));
  const shares: number[] = [];
  for (let index = 1; index <= 3; index++) {
    const shard = await encodeWithStore(options(items, [encoder('A')], { dir, shard: { index, count: 3 } }));
    shares.push(shard.store[0].encoded);
    assert.equal(shard.kept, shard.kept.map((_, row) => shard.kept[0] + row), 'a contiguous block');
  }
  assert.equal(shares, [8, 8, 7]);
  assert.is(parquetFiles(dir).length, 3, 'one file per shard, names apart');
  assert.ok(parquetFiles(dir).every((file, index) => file.includes(`${index + 1}of3-`)), parquetFiles(dir).join(' '));
  const scorer = encoder('A');
  const scored = await encodeWithStore(options(items, [scorer], { dir, cacheOnly: true }));
  assert.equal(scorer.calls, []);
  assert.equal([...scored.embeddings[0]], [...reference.embeddings[0]]);
  assert.is(scored.store[0].files.length, 3);
});

test('--cache-only: what is missing, named in one line, before anything is encoded', async () => {
  const dir = join(work, 'store-missing');
  const items = makeItems(9);
  await encodeWithStore(options(items, [encoder('A')], { dir, shard: { index: 1, count: 3 } }));
  const tower = encoder('A');
  try {
    await encodeWithStore(options(items, [tower], { dir, cacheOnly: true }));
    assert.unreachable('missing embeddings were not reported');
  } catch (error) {
    assert.ok(isUserError(error), String(error));
    const message = (error as Error).message;
    assert.not.match(message, /\n/);
    assert.match(message, /^--cache-only: A: 5 of 9 image\(s\) not in the store \(.*\): "tile_4", "tile_5", "tile_6", "tile_7", "tile_8"; run without --cache-only/);
  }
  assert.equal(tower.calls, []);
  const many = makeItems(12);
  const error = await failure(encodeWithStore(options(many, [encoder('A')], { dir, cacheOnly: true })));
  assert.match(error.message, /A: 12 of 12 image\(s\) not in the store .*"tile_4" and 7 more;/);
});

test('a model added to a cached group is the only one that encodes; the cached one keeps its rows', async () => {
  const dir = join(work, 'store-mixed');
  const items = makeItems(10);
  await encodeWithStore(options(items, [encoder('A')], { dir }));
  const before = parquetFiles(dir);
  const [a, b] = [encoder('A'), encoder('B', 2)];
  const mixed = await encodeWithStore(options(items, [a, b], { dir }));
  assert.equal(mixed.store.map((use) => [use.encoded, use.fromStore]), [[0, 10], [10, 0]]);
  const added = parquetFiles(dir).filter((file) => !before.includes(file));
  assert.is(added.length, 1, 'only B wrote a file');
  const bAlone = await encodeWithStore(options(items, [encoder('B', 2)], undefined));
  assert.equal([...mixed.embeddings[1]], [...bAlone.embeddings[0]]);
});

test('a run that fails keeps its finished chunks; the next run encodes only the rest', async () => {
  const dir = join(work, 'store-fail');
  const items = makeItems(20);
  const failing = encoder('A');
  failing.failAfter = 3;
  // Batches of 2, chunks of 2 batches: 3 batches done = one full chunk + one batch in the last, partial chunk.
  const error = await failure(encodeWithStore(options(items, [failing], { dir, chunkRows: 4 }, 2)));
  assert.match(error.message, /tower failed/);
  const rerun = encoder('A');
  const resumed = await encodeWithStore(options(items, [rerun], { dir, chunkRows: 4 }, 2));
  assert.equal(resumed.store[0].encoded + resumed.store[0].fromStore, 20);
  assert.is(resumed.store[0].fromStore, 6, 'the full chunk and the closed partial one');
  assert.equal(rerun.calls, [2, 2, 2, 2, 2, 2, 2], 'the same batches as an uninterrupted run');
  const reference = await encodeWithStore(options(items, [encoder('A')], undefined, 2));
  assert.equal([...resumed.embeddings[0]], [...reference.embeddings[0]]);
});

test('SIGTERM or Ctrl-C mid-run (command-line handlers): the rows held are written as a last chunk, the process ends by the signal; the rerun encodes only the rest', async () => {
  const dir = join(work, 'store-interrupted');
  const items = makeItems(40, 'interrupted');
  // Chunks of 1,000 rows: without the handler nothing of these 40 images would reach the store.
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/support/interrupted-encode.ts'), join(work, 'interrupted'), dir, '3'], { cwd: projectRoot, encoding: 'utf8' });
  assert.is(child.signal, 'SIGTERM', `exit ${child.status} / ${child.signal}: ${child.stdout}${child.stderr}`);
  assert.match(child.stderr, /^interrupted \(SIGTERM\): saved the embeddings encoded so far \(a rerun encodes only the rest\); records are written whole/m);
  const files = parquetFiles(dir);
  assert.is(files.length, 1, 'one last chunk');
  const rerun = encoder('A');
  const resumed = await encodeWithStore(options(items, [rerun], { dir, chunkRows: 1000 }));
  const saved = resumed.store[0].fromStore;
  assert.ok(saved >= 3 * 4 && saved < 40 && saved % 4 === 0, `${saved} rows saved: whole batches, at least the 3 before the signal`);
  assert.is(resumed.store[0].encoded, 40 - saved);
  assert.equal(rerun.calls, Array.from({ length: (40 - saved) / 4 }, () => 4), 'only the rest, in the same batches');
  const reference = await encodeWithStore(options(items, [encoder('A')], undefined));
  assert.equal([...resumed.embeddings[0]], [...reference.embeddings[0]]);
});

test('a slow tower writes a chunk once its oldest row waited maxPendingSeconds, before the chunk is full', async () => {
  const dir = join(work, 'store-slow');
  mkdirSync(dir);
  const items = makeItems(12);
  const store = openStore({ dir, key: { imageTowerSha256: '1'.repeat(64), preprocessing: SPEC, dataPathVersion: 1, onnxRuntime: { version: 'test', provider: 'cpu' }, dataset: 'slow' }, dimension: 4 });
  await store.lookup(items);
  const rows = (count: number): Float32Array => new Float32Array(count * 4).fill(0.5);
  const patient = store.writer({ chunkRows: 100 });
  patient.add(items.slice(0, 4), rows(4));
  patient.add(items.slice(4, 8), rows(4));
  assert.is(parquetFiles(dir).length, 0, 'the default waits for a full chunk (or 30 s)');
  const hasty = store.writer({ chunkRows: 100, maxPendingSeconds: 0 });
  hasty.add(items.slice(0, 4), rows(4));
  hasty.add(items.slice(4, 8), rows(4));
  assert.is(parquetFiles(dir).length, 2, 'one file per add once every row is overdue');
  assert.equal(hasty.close().length, 2);
  assert.is(patient.close().length, 1);
});

test('unreadable items are skipped (reported with their index), never stored, and tried again next time', async () => {
  const dir = join(work, 'store-skip');
  const items = makeItems(6);
  writeFileSync(items[2].files[0], 'not an array');
  const skipped: number[] = [];
  const first = await encodeWithStore({ ...options(items, [encoder('A')], { dir }), onSkip: (entry) => skipped.push(entry.index) });
  assert.equal(skipped, [2]);
  assert.equal(first.kept, [0, 1, 3, 4, 5]);
  assert.is(first.embeddings[0].length, 5 * 4);
  const again = await encodeWithStore({ ...options(items, [encoder('A')], { dir }), onSkip: (entry) => skipped.push(entry.index) });
  assert.equal(skipped, [2, 2]);
  assert.equal(again.store[0], { encoded: 0, fromStore: 5, files: again.store[0].files });
  assert.equal([...again.embeddings[0]], [...first.embeddings[0]]);
});

test.run();
