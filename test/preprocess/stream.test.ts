// The streaming data path (harness/pipeline.ts) on real GeoTIFF tiles: batches come
// in dataset order with exactly the pixels `prepareImage` makes for each item, in this
// thread and in worker threads, whole or in pieces; a corrupt tile fails the stream
// with its file named, or is skipped and reported under skipInvalid.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateTiles } from '../../datasets/demo/tiles.ts';
import { prepareImage } from '../../preprocess/prepare.ts';
import { listDataset } from '../../datasets/registry.ts';
import { encodeTiff } from '../../datasets/tiff/writer.ts';
import { MSCLIP_BANDS } from '../../datasets/sentinel2.ts';
import type { DatasetListing } from '../../datasets/types.ts';
import type { PreprocessSpec } from '../../preprocess/spec.ts';
import { isUserError } from '../../core/errors.ts';
import { batchesInFlight, checkBatchMemory, machineWorkerCount, piecesPerBatch, streamBatches, WorkerPool } from '../../preprocess/stream.ts';

const SPEC: PreprocessSpec = {
  kind: 'multispectral', bands: [...MSCLIP_BANDS], size: 24, interpolation: 'bicubic',
  mean: Array.from({ length: 10 }, (_, band) => 1000 + band * 150), std: Array.from({ length: 10 }, () => 900),
};
const LENGTH = 10 * 24 * 24;
const TILES = 23;
const CORRUPT = 9;

const work = mkdtempSync(join(tmpdir(), 'pipeline-'));
let listing: DatasetListing;
let corruptFile: string;
const expected: Float32Array[] = [];
const pools = new Map<number, WorkerPool>();

test.before(async () => {
  await generateTiles(work, TILES);
  listing = await listDataset('EuroSAT_MS', work, { skipInvalid: false });
  for (const item of listing.items) {
    const pixels = new Float32Array(LENGTH);
    await prepareImage('EuroSAT_MS', item, SPEC, pixels, 0);
    expected.push(pixels);
  }
  for (const size of [0, 1, 2]) pools.set(size, new WorkerPool(size));
});

test.after(async () => {
  for (const pool of pools.values()) await pool.close();
  rmSync(work, { recursive: true, force: true });
});

async function collect(pool: WorkerPool, batchSize: number, skipInvalid = false, onSkip?: (entry: { file: string; index: number }) => void): Promise<{ rows: Float32Array[]; indices: number[]; counts: number[] }> {
  const rows: Float32Array[] = [];
  const indices: number[] = [];
  const counts: number[] = [];
  for await (const batch of streamBatches({ pool, dataset: 'EuroSAT_MS', spec: SPEC, items: listing.items, batchSize, skipInvalid, onSkip })) {
    assert.is(batch.pixels.length, batch.count * LENGTH, 'pixels hold exactly count images');
    assert.is(batch.indices.length, batch.count);
    // Copies: a batch's memory is reused once the next one is asked for.
    for (let row = 0; row < batch.count; row++) rows.push(batch.pixels.slice(row * LENGTH, (row + 1) * LENGTH));
    indices.push(...batch.indices);
    counts.push(batch.count);
  }
  return { rows, indices, counts };
}

test('piecesPerBatch: whole batches unless workers would be left idle', () => {
  assert.is(piecesPerBatch(0, 1000, 64), 1);
  assert.is(piecesPerBatch(1, 10, 64), 1);
  assert.is(piecesPerBatch(2, 512, 64), 1, '8 batches for 2 workers');
  assert.is(piecesPerBatch(16, 512, 64), 4, '8 batches for 16 workers: 32 pieces');
  assert.is(piecesPerBatch(2, 23, 64), 4, 'one batch for 2 workers');
  assert.is(piecesPerBatch(16, 5, 4), 4, 'never more pieces than images in a batch');
});

for (const [workers, batchSize] of [[0, 64], [0, 5], [1, 5], [2, 64], [2, 4], [2, 1]] as const) {
  test(`${workers} worker(s), batch ${batchSize}: dataset order, the pixels prepareImage makes`, async () => {
    const { rows, indices, counts } = await collect(pools.get(workers)!, batchSize);
    assert.equal(indices, listing.items.map((_, index) => index));
    assert.equal(counts, Array.from({ length: Math.ceil(TILES / batchSize) }, (_, batch) => Math.min(batchSize, TILES - batch * batchSize)));
    rows.forEach((row, index) => assert.equal(row, expected[index], `image ${index}`));
  });
}

test('a corrupt tile ends the stream with one line naming it; skipInvalid leaves it out', async () => {
  corruptFile = listing.items[CORRUPT].files[0];
  writeFileSync(corruptFile, Buffer.from('II*\u0000 not really a tiff'));
  for (const workers of [0, 2]) {
    let failure: unknown;
    try {
      await collect(pools.get(workers)!, 4);
    } catch (error) {
      failure = error;
    }
    assert.ok(isUserError(failure), `${workers} workers: a UserError, got ${String(failure)}`);
    assert.ok((failure as Error).message.includes(corruptFile), (failure as Error).message);
    assert.not.match((failure as Error).message, /\n/);

    for (const batchSize of [4, 64]) {
      const skipped: { file: string; index: number }[] = [];
      const { rows, indices, counts } = await collect(pools.get(workers)!, batchSize, true, (entry) => skipped.push(entry));
      assert.equal(skipped.map((entry) => [entry.file, entry.index]), [[corruptFile, CORRUPT]]);
      assert.equal(indices, listing.items.map((_, index) => index).filter((index) => index !== CORRUPT));
      assert.is(counts.reduce((sum, count) => sum + count, 0), TILES - 1);
      rows.forEach((row, position) => assert.equal(row, expected[indices[position]], `${workers} workers, batch ${batchSize}: row ${position}`));
    }
  }
});

test('a tile whose strips start at odd byte offsets is read, not skipped, under skipInvalid', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-odd-'));
  try {
    const data = Array.from({ length: 13 }, (_, band) => Array.from({ length: 32 * 32 }, (_, index) => 500 + ((index * 13 + band * 101) % 3000)));
    mkdirSync(join(root, 'EuroSAT_MS/Forest'), { recursive: true });
    writeFileSync(join(root, 'EuroSAT_MS/Forest/aligned.tif'), encodeTiff({ width: 32, height: 32, data }, { sampleType: 'int16' }));
    writeFileSync(join(root, 'EuroSAT_MS/Forest/odd.tif'), encodeTiff({ width: 32, height: 32, data }, { sampleType: 'int16', oddOffsets: true }));
    const odd = await listDataset('EuroSAT_MS', root, { skipInvalid: true });
    for (const workers of [0, 1]) {
      const skipped: unknown[] = [];
      const rows: Float32Array[] = [];
      for await (const batch of streamBatches({ pool: pools.get(workers)!, dataset: 'EuroSAT_MS', spec: SPEC, items: odd.items, batchSize: 2, skipInvalid: true, onSkip: (entry) => skipped.push(entry) })) {
        for (let row = 0; row < batch.count; row++) rows.push(batch.pixels.slice(row * LENGTH, (row + 1) * LENGTH));
      }
      assert.equal(skipped, [], `${workers} workers`);
      assert.is(rows.length, 2);
      assert.equal(rows[1], rows[0], `${workers} workers: the odd-offset tile reads as the aligned one`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('checkBatchMemory: batches in flight must fit in half the free memory and in one typed array', () => {
  const spec = { ...SPEC, size: 224 };
  const image = 10 * 224 * 224 * 4;
  checkBatchMemory({ spec, batchSize: 64, inFlight: batchesInFlight(2, 10_000, 64), available: 16 * 2 ** 30 });
  let failure: unknown;
  try {
    checkBatchMemory({ spec, batchSize: 1_000_000_000, inFlight: 4, available: 16 * 2 ** 30 });
  } catch (error) {
    failure = error;
  }
  assert.ok(isUserError(failure), String(failure));
  const fits = Math.floor((8 * 2 ** 30) / (image * 4));
  assert.is((failure as Error).message, `--batch-size 1000000000 needs ${(image * 4e9 / 2 ** 30).toFixed(1)} GB for 4 batches of 10x224x224 float32 images in flight, more than half of the 16.0 GB of free memory; use --batch-size ${fits} or less`);
  checkBatchMemory({ spec, batchSize: fits, inFlight: 4, available: 16 * 2 ** 30 });
  // Plenty of memory, but one batch beyond what a Float32Array holds.
  assert.throws(() => checkBatchMemory({ spec, batchSize: 10_000, inFlight: 1, available: 2 ** 50 }), /use --batch-size 8559 or less/);
  assert.is(batchesInFlight(0, 100, 10), 1);
  assert.is(batchesInFlight(16, 10_000, 64), 18);
});

test('streamBatches refuses a batch size that cannot fit before reading anything', async () => {
  let failure: unknown;
  try {
    for await (const batch of streamBatches({ pool: pools.get(0)!, dataset: 'EuroSAT_MS', spec: SPEC, items: listing.items, batchSize: 2 ** 40, skipInvalid: false })) assert.unreachable(`got a batch of ${batch.count}`);
  } catch (error) {
    failure = error;
  }
  assert.ok(isUserError(failure), String(failure));
  assert.match((failure as Error).message, /^--batch-size 1099511627776 needs .* GB .* use --batch-size \d+ or less$/);
});


test('MSCLIP_WORKERS: every core when unset, capped at the core count, a bad value one error line', () => {
  const saved = process.env.MSCLIP_WORKERS;
  const cores = availableParallelism();
  try {
    delete process.env.MSCLIP_WORKERS;
    assert.is(machineWorkerCount(), cores);
    process.env.MSCLIP_WORKERS = '0';
    assert.is(machineWorkerCount(), 0);
    process.env.MSCLIP_WORKERS = String(cores + 50);
    assert.is(machineWorkerCount(), cores);
    for (const bad of ['two', '-1', '1.5']) {
      process.env.MSCLIP_WORKERS = bad;
      assert.throws(() => machineWorkerCount(), (error: unknown) => isUserError(error) && error.message.includes(`MSCLIP_WORKERS="${bad}"`) && !error.message.includes('\n'));
    }
  } finally {
    if (saved === undefined) delete process.env.MSCLIP_WORKERS;
    else process.env.MSCLIP_WORKERS = saved;
  }
});

test.run();
