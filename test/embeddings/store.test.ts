/**
 * The embedding store on real files in a temporary folder: round trip, a changed
 * image file (size or modification time) encoded again and never served stale, a kill
 * before close keeping every full chunk, truncated and foreign files passed over with
 * a note, two shards writing disjoint files, the class-embedding cache, and
 * pandas.read_parquet reading the chunk files (skipped, with the reason, without a
 * Python environment that has pandas and pyarrow).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DatasetItem } from '../../datasets/types.ts';
import { encodeStoreFile } from '../../embeddings/store-file.ts';
import { stampItems, stampItemsAsync, stampOf, type ImageStoreKey, type TextStoreKey } from '../../embeddings/store-key.ts';
import { openStore, storeFolder } from '../../embeddings/store.ts';
import { readClassEmbeddings, textCacheFile, writeClassEmbeddings } from '../../embeddings/text-cache.ts';
import { DATA_PATH_VERSION } from '../../preprocess/spec.ts';
import { pythonTest } from '../support/python.ts';

const work = mkdtempSync(join(tmpdir(), 'msclip-store-test-'));
const DIMENSION = 8;

const KEY: ImageStoreKey = {
  imageTowerSha256: 'a'.repeat(64),
  preprocessing: { kind: 'multispectral', bands: ['B02', 'B03', 'B04', 'B08'], size: 32, interpolation: 'bicubic', mean: [1, 2, 3, 4], std: [5, 6, 7, 8] },
  dataPathVersion: DATA_PATH_VERSION,
  onnxRuntime: { version: '1.30.0', provider: 'cpu' },
  dataset: 'EuroSAT_MS',
};

let folderCount = 0;
/** A fresh dataset folder: `count` items, the first `multi` of them read from two files (as BigEarthNet's bands). */
function makeItems(count: number, multi = 0): { root: string; items: DatasetItem[] } {
  const root = join(work, `data-${++folderCount}`);
  const items: DatasetItem[] = [];
  for (let index = 0; index < count; index++) {
    const folder = join(root, index % 2 ? 'Forest' : 'River');
    mkdirSync(folder, { recursive: true });
    const files = [join(folder, `tile_${index}.tif`)];
    if (index < multi) files.push(join(folder, `tile_${index}_B12.tif`));
    for (const file of files) writeFileSync(file, `pixels of ${file}`);
    items.push({ id: `${basename(folder)}/tile_${index}.tif`, files, labels: [index % 2] });
  }
  return { root, items };
}

/** Deterministic rows, different per item and per "encoding" (version). */
function encode(items: readonly DatasetItem[], version = 0): Float32Array {
  const rows = new Float32Array(items.length * DIMENSION);
  items.forEach((item, row) => {
    const seed = [...item.id].reduce((sum, char) => sum * 31 + char.charCodeAt(0), version) % 1000;
    for (let column = 0; column < DIMENSION; column++) rows[row * DIMENSION + column] = Math.fround(Math.sin(seed + column * 0.37) / 3);
  });
  return rows;
}

/** What a run does: look up, encode the missing items in batches, store them. */
async function run(dir: string, items: readonly DatasetItem[], options: { chunkRows?: number; version?: number; shard?: { index: number; count: number } } = {}) {
  const notes: string[] = [];
  const store = openStore({ dir, key: KEY, dimension: DIMENSION, onNote: (note) => notes.push(note) });
  const lookup = await store.lookup(items);
  const writer = store.writer({ chunkRows: options.chunkRows ?? 4, shard: options.shard });
  for (let start = 0; start < lookup.missing.length; start += 3) {
    const batch = lookup.missing.slice(start, start + 3).map((index) => items[index]);
    const rows = encode(batch, options.version);
    writer.add(batch, rows);
    batch.forEach((_, row) => lookup.embeddings.set(rows.subarray(row * DIMENSION, (row + 1) * DIMENSION), lookup.missing[start + row] * DIMENSION));
  }
  const written = writer.close();
  return { store, lookup, written, notes };
}

const chunkFilesOf = (dir: string): string[] => readdirSync(storeFolder(dir, KEY)).filter((name) => name.endsWith('.parquet')).sort();

test('round trip: a second run reads every row back exactly and encodes nothing', async () => {
  const dir = join(work, 'round-trip');
  const { items } = makeItems(10, 3);
  const first = await run(dir, items);
  assert.is(first.lookup.foundCount, 0);
  assert.equal(first.lookup.missing, [...items.keys()]);
  assert.is(first.written.length, 3, '10 rows in chunks of 4: 4 + 4 + 2');
  assert.equal(chunkFilesOf(dir).length, 3);
  const second = await run(dir, items);
  assert.is(second.lookup.foundCount, 10);
  assert.equal(second.lookup.missing, []);
  assert.is(second.written.length, 0);
  assert.equal(second.lookup.embeddings, encode(items));
  assert.equal(second.store.files(), first.written.slice().sort());
  assert.equal(second.notes, []);
  // The same items in another order, and one listed twice, get their own rows.
  const shuffled = [items[7], items[2], items[7], items[0]];
  const again = await openStore({ dir, key: KEY, dimension: DIMENSION }).lookup(shuffled);
  assert.equal(again.embeddings, encode(shuffled));
  assert.equal(again.missing, []);
});

test('a key differs in every part: another tower, spec, data path, runtime or dataset finds nothing', async () => {
  const dir = join(work, 'keys');
  const { items } = makeItems(3);
  await run(dir, items);
  const variants: ImageStoreKey[] = [
    { ...KEY, imageTowerSha256: 'b'.repeat(64) },
    { ...KEY, preprocessing: { ...KEY.preprocessing, size: 64 } },
    { ...KEY, preprocessing: { ...KEY.preprocessing, mean: [1, 2, 3, 4.5] } },
    { ...KEY, dataPathVersion: DATA_PATH_VERSION + 1 },
    { ...KEY, onnxRuntime: { version: '1.30.0', provider: 'cuda' } },
    { ...KEY, onnxRuntime: { version: '1.31.0', provider: 'cpu' } },
    { ...KEY, dataset: 'EuroSAT_RGB' },
  ];
  for (const key of variants) {
    const lookup = await openStore({ dir, key, dimension: DIMENSION }).lookup(items);
    assert.is(lookup.foundCount, 0, JSON.stringify(key));
  }
  // Key order does not matter.
  const reordered = JSON.parse(JSON.stringify({ dataset: KEY.dataset, onnxRuntime: KEY.onnxRuntime, dataPathVersion: KEY.dataPathVersion, preprocessing: KEY.preprocessing, imageTowerSha256: KEY.imageTowerSha256 })) as ImageStoreKey;
  assert.is((await openStore({ dir, key: reordered, dimension: DIMENSION }).lookup(items)).foundCount, 3);
});

test('an item\'s stamp covers every file it is read from, in order', () => {
  const { items } = makeItems(2, 1);
  const stats = items[0].files.map((file) => statSync(file)).map((file) => ({ size: file.size, mtimeMs: Math.floor(file.mtimeMs) }));
  assert.equal(stampItems(items)[0], stampOf(stats));
  assert.is.not(stampOf(stats), stampOf([...stats].reverse()));
  assert.is.not(stampItems(items)[0], stampItems(items)[1]);
  assert.equal(stampItems([{ ...items[0], files: [...items[0].files, join(work, 'no-such-file')] }]), [null]);
});

test('a changed file (size, or modification time alone) is encoded again, never served stale', async () => {
  const dir = join(work, 'changed');
  const { items } = makeItems(8, 4);
  await run(dir, items);
  // Item 1: one more byte in its only file. Item 2: the second of its two files touched, same size.
  appendFileSync(items[1].files[0], 'x');
  const later = new Date(statSync(items[2].files[1]).mtimeMs + 5000);
  utimesSync(items[2].files[1], later, later);
  const second = await run(dir, items, { version: 1 });
  assert.equal(second.lookup.missing, [1, 2]);
  assert.is(second.lookup.stale, 2);
  assert.ok(second.notes.some((note) => note.includes('2 image(s)') && note.includes('changed')), second.notes.join('\n'));
  // The new rows win from now on; the old rows are never served again.
  const third = await run(dir, items, { version: 2 });
  assert.equal(third.lookup.missing, []);
  const expected = encode(items);
  expected.set(encode([items[1], items[2]], 1), DIMENSION);
  assert.equal(third.lookup.embeddings, expected);
  // A file that disappeared: missing, and not stored (its stamp cannot be taken).
  rmSync(items[5].files[0]);
  const fourth = await run(dir, items);
  assert.equal(fourth.lookup.missing, [5]);
  assert.equal(fourth.written, []);
});

test('a re-encoded row is served whichever file is read first, and with ids the store never held', async () => {
  const dir = join(work, 'order');
  const { items } = makeItems(8);
  await run(dir, items);
  appendFileSync(items[3].files[0], 'x');
  const second = await run(dir, items, { version: 1 });
  assert.equal(second.lookup.missing, [3]);
  const expected = encode(items);
  expected.set(encode([items[3]], 1), 3 * DIMENSION);
  // The fresh row's file first, then the stale one's: the held row is the fresh one.
  const [freshFile] = second.written;
  renameSync(freshFile, join(storeFolder(dir, KEY), `0-${basename(freshFile)}`));
  const third = await run(dir, items, { version: 2 });
  assert.equal(third.lookup.missing, []);
  assert.equal(third.lookup.embeddings, expected);
  // The fresh row's file last, with an item never encoded: every file is read in one pass
  // (the stale row is met first and the fresh one kept aside), the new item is missing.
  renameSync(join(storeFolder(dir, KEY), `0-${basename(freshFile)}`), join(storeFolder(dir, KEY), `zz-${basename(freshFile)}`));
  const extra = makeItems(1).items[0];
  const withNew = [...items, { ...extra, id: 'Forest/never_encoded.tif' }];
  const store = openStore({ dir, key: KEY, dimension: DIMENSION });
  const fourth = await store.lookup(withNew);
  assert.equal(fourth.missing, [8]);
  assert.equal(fourth.embeddings.subarray(0, 8 * DIMENSION), expected);
  assert.ok(store.files().some((file) => basename(file).startsWith('zz-')), store.files().join());
});

test('missing rows are zeros (a stale stored row is not left in them); lookups at once on one store; no stamps, no writing', async () => {
  const dir = join(work, 'zeros');
  const { items } = makeItems(6);
  await run(dir, items);
  appendFileSync(items[2].files[0], 'x');
  const lookup = await openStore({ dir, key: KEY, dimension: DIMENSION }).lookup(items);
  assert.equal(lookup.missing, [2]);
  const expected = encode(items);
  expected.fill(0, 2 * DIMENSION, 3 * DIMENSION);
  assert.equal(lookup.embeddings, expected);
  // Encoded again: the fresh row sits in a file the first step skips (every id held by then).
  await run(dir, items, { version: 1 });
  expected.set(encode([items[2]], 1), 2 * DIMENSION);
  // Two lookups at once on the same store object agree with each other and with one alone.
  const store = openStore({ dir, key: KEY, dimension: DIMENSION });
  for (const both of await Promise.all([store.lookup(items), store.lookup(items)])) {
    assert.equal(both.missing, []);
    assert.equal(both.embeddings, expected);
  }
  // A lookup whose stamps failed leaves nothing a writer could record.
  const failing = openStore({ dir, key: KEY, dimension: DIMENSION });
  let failure: unknown;
  try {
    await failing.lookup(items, () => Promise.reject(new Error('no stamps')));
  } catch (error) {
    failure = error;
  }
  assert.match(String(failure), /no stamps/);
  assert.throws(() => failing.writer().add([items[2]], encode([items[2]])), /not looked up/);
});

test('a big lookup stats its items on a thread: the same stamps, and a changed file is still caught', async () => {
  const dir = join(work, 'thread');
  const { items: files } = makeItems(40, 40);
  // 12,000 items over 40 folders' files (the thread starts at 10,000 items).
  const items: DatasetItem[] = Array.from({ length: 12_000 }, (_, index) => ({ id: `many/${index}.tif`, files: files[index % 40].files, labels: [0] }));
  items.push({ id: 'many/gone.tif', files: [join(work, 'no-such-file')], labels: [0] });
  // The stat calls really run on the thread: with this thread's statSync broken, every stamp is still taken.
  const writableFs = fs as { statSync: typeof fs.statSync };
  const realStatSync = fs.statSync;
  let threaded: (string | null)[];
  try {
    writableFs.statSync = () => {
      throw new Error('statSync called on the main thread');
    };
    syncBuiltinESMExports();
    assert.equal(stampItems(items.slice(0, 2)), [null, null], 'the break reaches store-key.ts');
    threaded = await stampItemsAsync(items);
  } finally {
    writableFs.statSync = realStatSync;
    syncBuiltinESMExports();
  }
  assert.equal(threaded, stampItems(items));
  assert.is(threaded.at(-1), null);
  assert.is(threaded[0], stampOf(files[0].files.map((file) => statSync(file)).map((stat) => ({ size: stat.size, mtimeMs: Math.floor(stat.mtimeMs) }))));
  const first = await run(dir, items, { chunkRows: 1000 });
  assert.is(first.lookup.missing.length, items.length);
  assert.is(first.written.length, 12, 'the gone item is not stored');
  appendFileSync(files[7].files[1], 'x');
  const second = await run(dir, items, { chunkRows: 1000, version: 1 });
  assert.equal(second.lookup.missing, [...items.keys()].filter((index) => index % 40 === 7 || index === 12_000));
  assert.is(second.lookup.stale, 300);
  const third = await openStore({ dir, key: KEY, dimension: DIMENSION }).lookup(items);
  assert.equal(third.missing, [12_000]);
  const expected = encode(items);
  for (const index of second.lookup.missing.filter((index) => index < 12_000)) expected.set(encode([items[index]], 1), index * DIMENSION);
  expected.fill(0, 12_000 * DIMENSION);
  assert.equal(third.embeddings, expected);
});

test('a run killed before close keeps every full chunk; the next run encodes only the rest', async () => {
  const dir = join(work, 'killed');
  const { items } = makeItems(11);
  const store = openStore({ dir, key: KEY, dimension: DIMENSION });
  await store.lookup(items);
  const writer = store.writer({ chunkRows: 4 });
  writer.add(items.slice(0, 10), encode(items.slice(0, 10)));
  // No close(): the process "dies" here with 2 rows unwritten.
  assert.is(chunkFilesOf(dir).length, 2);
  const resumed = await run(dir, items);
  assert.equal(resumed.lookup.missing, [8, 9, 10]);
  assert.equal(resumed.lookup.embeddings, encode(items));
});

test('a writer removes the temporary chunk files killed writers on this host left; a live writer\'s stay', async () => {
  const dir = join(work, 'leftovers');
  const { items } = makeItems(6);
  await run(dir, items);
  const folder = storeFolder(dir, KEY);
  const host = hostname().replace(/[^A-Za-z0-9-]/g, '-') || 'host';
  // pid 99999999 is above any pid_max: a dead writer. This process is a live one.
  const dead = `.1of1-dead-00001.parquet.${host}.99999999.0123abcd.tmp`;
  const live = `.1of1-live-00001.parquet.${host}.${process.pid}.0123abcd.tmp`;
  const otherHost = `.1of1-far-00001.parquet.elsewhere-${host}.99999999.0123abcd.tmp`;
  for (const name of [dead, live, otherHost]) writeFileSync(join(folder, name), 'PAR1 half a chunk');
  const { notes } = await run(dir, items);
  const names = readdirSync(folder);
  assert.not.ok(names.includes(dead));
  assert.ok(names.includes(live) && names.includes(otherHost), names.join());
  assert.ok(notes.some((note) => note.includes('removed 1 temporary file(s) left by a killed run')), notes.join('\n'));
});

test('the writer refuses rows of items that were not looked up, and rows of the wrong size', async () => {
  const { items } = makeItems(2);
  const store = openStore({ dir: join(work, 'refuse'), key: KEY, dimension: DIMENSION });
  assert.throws(() => store.writer().add(items, encode(items)), /not looked up/);
  await store.lookup(items);
  assert.throws(() => store.writer().add(items, new Float32Array(DIMENSION)), /not 2 rows of 8/);
});

test('truncated, foreign and other-key files are passed over with a note; their images are encoded again', async () => {
  const dir = join(work, 'broken');
  const { items } = makeItems(12);
  const first = await run(dir, items);
  const [truncated, foreign, ...good] = first.written.slice().sort();
  const bytes = readFileSync(truncated);
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  writeFileSync(foreign, 'PAR1 this is not what it seems PAR1');
  const otherKey = { ...KEY, imageTowerSha256: 'c'.repeat(64) };
  writeFileSync(join(storeFolder(dir, KEY), 'zz-copied-by-hand.parquet'), Buffer.concat(encodeStoreFile('image', otherKey, { ids: [items[0].id], stamps: ['0'], dimension: DIMENSION, values: new Float32Array(DIMENSION) })));
  writeFileSync(join(storeFolder(dir, KEY), 'zz-empty.parquet'), '');
  const second = await run(dir, items);
  assert.is(second.lookup.missing.length, 8, 'the rows of the two broken chunks');
  assert.is(second.notes.length, 4, second.notes.join('\n'));
  assert.ok(second.notes.some((note) => note.startsWith(truncated) && note.includes('truncated')), second.notes.join('\n'));
  assert.ok(second.notes.some((note) => note.startsWith(foreign)), second.notes.join('\n'));
  assert.ok(second.notes.some((note) => note.includes('zz-copied-by-hand.parquet') && note.includes('another key')), second.notes.join('\n'));
  assert.ok(second.notes.every((note) => note.includes('ignored')), second.notes.join('\n'));
  assert.equal(second.lookup.embeddings, encode(items));
  assert.ok(good.every((file) => second.store.files().includes(file)));
  // Broken files are left alone (a person may want to look at them), and never read as rows.
  const third = await run(dir, items);
  assert.equal(third.lookup.missing, []);
  assert.equal(third.lookup.embeddings, encode(items));
});

test('two shards write disjoint files at once; a later run finds every row', async () => {
  const dir = join(work, 'shards');
  const { items } = makeItems(9);
  const half = [items.filter((_, index) => index % 2 === 0), items.filter((_, index) => index % 2 === 1)];
  const shards = half.map((share, index) => {
    const store = openStore({ dir, key: KEY, dimension: DIMENSION });
    return { share, store, writer: store.writer({ chunkRows: 2, shard: { index: index + 1, count: 2 } }) };
  });
  for (const shard of shards) await shard.store.lookup(shard.share);
  // Interleaved, as two machines on one file system.
  for (let step = 0; step < 5; step++) {
    for (const shard of shards) {
      const item = shard.share[step];
      if (item) shard.writer.add([item], encode([item]));
    }
  }
  const written = shards.map((shard) => shard.writer.close().map((file) => basename(file)));
  assert.ok(written[0].every((name) => name.startsWith('1of2-')), written[0].join());
  assert.ok(written[1].every((name) => name.startsWith('2of2-')), written[1].join());
  assert.is(new Set([...written[0], ...written[1]]).size, written[0].length + written[1].length);
  assert.equal(chunkFilesOf(dir), [...written[0], ...written[1]].sort());
  const scoring = await run(dir, items);
  assert.equal(scoring.lookup.missing, []);
  assert.equal(scoring.lookup.embeddings, encode(items));
});

test('class embeddings are cached per text tower, template set, class names and runtime', () => {
  const dir = join(work, 'text');
  const key: TextStoreKey = { textTowerSha256: 'd'.repeat(64), templatesSha256: 'e'.repeat(64), classes: ['forest', 'river', 'sea lake'], onnxRuntime: KEY.onnxRuntime };
  const notes: string[] = [];
  const onNote = (note: string): void => {
    notes.push(note);
  };
  assert.is(readClassEmbeddings({ dir, key, onNote }), undefined);
  const embeddings = Float32Array.from({ length: 3 * DIMENSION }, (_, index) => index / 10);
  const file = writeClassEmbeddings({ dir, key, embeddings });
  assert.equal(readClassEmbeddings({ dir, key, onNote })?.embeddings, embeddings);
  assert.is(readClassEmbeddings({ dir, key: { ...key, classes: ['river', 'forest', 'sea lake'] }, onNote }), undefined);
  assert.is(readClassEmbeddings({ dir, key: { ...key, templatesSha256: 'f'.repeat(64) }, onNote }), undefined);
  assert.equal(notes, []);
  writeFileSync(file, readFileSync(file).subarray(0, 40));
  assert.is(readClassEmbeddings({ dir, key, onNote }), undefined);
  assert.ok(notes[0]?.includes('ignored'), notes.join('\n'));
  writeClassEmbeddings({ dir, key, embeddings });
  assert.equal(readClassEmbeddings({ dir, key, onNote })?.embeddings, embeddings);
  assert.is(textCacheFile({ dir, key }), file);
});

const pandas = pythonTest(['pandas', 'pyarrow'], 'pandas.read_parquet on the store\'s files');
pandas.test('pandas.read_parquet reads the chunk files: one row per image, embedding as float32 lists', async () => {
  const dir = join(work, 'pandas');
  const { items } = makeItems(7, 2);
  await run(dir, items, { chunkRows: 3 });
  const script = [
    'import glob, json, sys',
    'import numpy as np, pandas as pd, pyarrow.parquet as pq',
    'files = sorted(glob.glob(sys.argv[1] + "/*.parquet"))',
    'frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)',
    'matrix = np.stack(frame["embedding"].to_numpy())',
    'meta = pq.read_schema(files[0]).metadata[b"msclip-bench"]',
    'print(json.dumps({"columns": list(frame.columns), "ids": frame["id"].tolist(), "dtype": str(matrix.dtype), "shape": list(matrix.shape),',
    '  "rows": matrix.astype(float).tolist(), "key": json.loads(meta)["key"], "files": len(files)}))',
  ].join('\n');
  const result = spawnSync(pandas.python, ['-c', script, storeFolder(dir, KEY)], { encoding: 'utf8' });
  assert.is(result.status, 0, result.stderr.slice(-2000));
  const read = JSON.parse(result.stdout) as { columns: string[]; ids: string[]; dtype: string; shape: number[]; rows: number[][]; key: unknown; files: number };
  assert.equal(read.columns, ['id', 'stamp', 'embedding']);
  assert.is(read.files, 3);
  assert.is(read.dtype, 'float32');
  assert.equal(read.shape, [7, DIMENSION]);
  assert.equal(read.key, JSON.parse(JSON.stringify(KEY)));
  const expected = encode(items);
  const byId = new Map(read.ids.map((id, row) => [id, read.rows[row]]));
  assert.is(byId.size, 7);
  items.forEach((item, row) => assert.equal(byId.get(item.id), Array.from(expected.subarray(row * DIMENSION, (row + 1) * DIMENSION)), item.id));
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
