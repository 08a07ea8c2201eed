// classify() and retrieve() with a tiny real ONNX bundle against the reference's
// inference logic (golden-*.json from scripts/parity/inference.py --onnx-bundle, run
// by scripts/golden/inference.py), and the embeddings file: reuse and refusal.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classify, retrieve, type ClassifyResult, type RetrieveResult } from '../../cli/library.ts';
import { readSavedEmbeddings, writeSavedEmbeddings } from '../../embeddings/saved-file.ts';
import { isUserError } from '../../core/errors.ts';
import { fixtures, GOLDEN_CLASSES, GOLDEN_QUERIES, makeTinyModels, readGolden, type Golden } from '../support/inference.ts';
import { pythonTest } from '../support/python.ts';

const { root, modelsDir } = makeTinyModels();
// No store: these tests compare fresh encodings (the store's own tests are below).
const common = { modelsDir, device: 'cpu' as const, allowExport: false, batchSize: 4, cacheDir: false as const };

function compareClassification(result: ClassifyResult, golden: Golden): void {
  assert.equal(result.images.map((image) => image.name), golden.images);
  assert.equal(result.classes, golden.classes);
  assert.is(result.templates.name, golden.templates);
  let worst = 0;
  result.images.forEach((image, row) => image.probabilities.forEach((value, column) => { worst = Math.max(worst, Math.abs(value - golden.probabilities[row][column])); }));
  assert.ok(worst <= 1e-5, `max abs probability difference ${worst}`);
  assert.equal(result.images.map((image) => image.class), golden.predicted);
}

function compareRetrieval(result: RetrieveResult, golden: Golden): void {
  assert.equal(result.queries.map((query) => query.query), golden.retrieval.map((query) => query.query));
  result.queries.forEach((query, index) => {
    assert.equal(query.results.map((hit) => hit.name), golden.retrieval[index].names, `ranking of "${query.query}"`);
    query.results.forEach((hit, rank) => assert.ok(Math.abs(hit.similarity - golden.retrieval[index].similarities[rank]) <= 1e-5));
  });
}

test('classify: multispectral tiles of every format, as the reference computes them', async () => {
  const notes: string[] = [];
  const result = await classify({ ...common, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), classNames: GOLDEN_CLASSES, onNote: (line) => notes.push(line) });
  compareClassification(result, readGolden('ms'));
  assert.equal(result.skipped.map((entry) => entry.file), [join(fixtures, 'tiles', 'notes.txt')]);
  assert.ok(notes.some((line) => line.includes('notes.txt')), 'the skipped file is noted');
  assert.is(result.provider, 'cpu');
  for (const image of result.images) assert.ok(Math.abs(image.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

test('retrieve: rankings and similarities as the reference computes them', async () => {
  const result = await retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), queries: GOLDEN_QUERIES, topK: 3 });
  compareRetrieval(result, readGolden('ms'));
});

test('RGB model: PNG and 3-band uint8 GeoTIFF, as open_clip preprocesses them', async () => {
  const images = join(fixtures, 'rgb');
  compareClassification(await classify({ ...common, model: 'ViT-B-16', images, classNames: GOLDEN_CLASSES }), readGolden('rgb'));
  compareRetrieval(await retrieve({ ...common, model: 'ViT-B-16', images, queries: GOLDEN_QUERIES, topK: 3 }), readGolden('rgb'));
});

test('progress is reported per batch; batch size does not change the answer', async () => {
  const seen: number[] = [];
  const one = await classify({ ...common, batchSize: 1, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), classNames: GOLDEN_CLASSES, onProgress: (done) => seen.push(done) });
  assert.equal(seen, [0, 1, 2, 3, 4, 5, 6]);
  compareClassification(one, readGolden('ms'));
});

test('worker threads give the same answers; a bad image in a worker is one line naming it', async () => {
  const threaded = await classify({ ...common, batchSize: 2, workers: 2, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), classNames: GOLDEN_CLASSES });
  compareClassification(threaded, readGolden('ms'));
  const folder = join(root, 'one-bad');
  cpSync(join(fixtures, 'tiles'), folder, { recursive: true });
  writeFileSync(join(folder, 'd-large-deflate.tif'), 'not a tiff');
  await expectStale(() => classify({ ...common, batchSize: 2, workers: 2, model: 'Llama3-MS-CLIP-Base', images: folder, classNames: GOLDEN_CLASSES }), /d-large-deflate\.tif: not a readable GeoTIFF/);
});

test('saved embeddings are reused (no image is read again) and give the same answers', async () => {
  const folder = join(root, 'cached-tiles');
  cpSync(join(fixtures, 'tiles'), folder, { recursive: true });
  const file = join(root, 'tiles.embeddings');
  // A whole-second time, so it can be set again exactly after the file is altered.
  const fixedTime = new Date('2024-05-01T12:00:00Z');
  const victim = join(folder, 'a-l2a-int16.tif');
  utimesSync(victim, fixedTime, fixedTime);
  const first = await classify({ ...common, model: 'Llama3-MS-CLIP-Base', images: folder, classNames: GOLDEN_CLASSES, saveEmbeddings: file });
  assert.equal(first.embeddings, { source: 'encoded', saved: file, encoded: 6, from_store: 0 });
  const saved = readSavedEmbeddings(file);
  assert.is(saved.ids.length, 6);
  assert.is(saved.dimension, 16);
  assert.is(saved.model, 'Llama3-MS-CLIP-Base');
  // Corrupt an image's content but keep its size and time: a reused cache never reads it.
  writeFileSync(victim, Buffer.alloc(readFileSync(victim).length, 0));
  utimesSync(victim, fixedTime, fixedTime);
  const again = await retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', embeddings: file, queries: GOLDEN_QUERIES, topK: 3 });
  assert.is(again.embeddings.source, 'file');
  const golden = readGolden('ms');
  compareRetrieval(again, golden);
  const withImages = await classify({ ...common, model: 'Llama3-MS-CLIP-Base', images: folder, embeddings: file, classNames: GOLDEN_CLASSES });
  compareClassification(withImages, golden);
});

async function expectStale(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(isUserError(error), String(error));
    assert.not.match((error as Error).message, /\n/);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable('a stale cache was used');
}

test('stale embeddings are refused: other model, other files, changed file', async () => {
  const folder = join(root, 'stale-tiles');
  cpSync(join(fixtures, 'tiles'), folder, { recursive: true });
  const file = join(root, 'stale.embeddings');
  await retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', images: folder, queries: ['x'], saveEmbeddings: file });
  await expectStale(() => retrieve({ ...common, model: 'ViT-B-16', embeddings: file, queries: ['x'] }), /stale: it holds embeddings of model Llama3-MS-CLIP-Base, not ViT-B-16/);
  await expectStale(() => retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), embeddings: file, queries: ['x'] }), /stale: --images lists 6 image\(s\), the file holds 6/);
  writeFileSync(join(folder, 'zz-new.npy'), readFileSync(join(folder, 'e-band-last.npy')));
  await expectStale(() => retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', images: folder, embeddings: file, queries: ['x'] }), /zz-new\.npy is listed but not saved/);
  writeFileSync(join(folder, 'a-l2a-int16.tif'), 'changed');
  await expectStale(() => retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', embeddings: file, queries: ['x'] }), /a-l2a-int16\.tif changed since it was encoded/);
  await expectStale(() => retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', embeddings: join(root, 'none.embeddings'), queries: ['x'] }), /no such file; write it first with --save-embeddings/);
});

test('a tampered saved file (NaN row, another dimension, truncated, a store chunk) is one line, never used', async () => {
  const file = join(root, 'tamper.parquet');
  await retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), queries: ['x'], saveEmbeddings: file });
  const saved = readSavedEmbeddings(file);
  const query = (embeddings: string) => () => retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', embeddings, queries: ['x'] });
  const nan = Float32Array.from(saved.values);
  nan[2 * 16 + 3] = Number.NaN;
  writeSavedEmbeddings(join(root, 'nan.parquet'), { ...saved, values: nan });
  await expectStale(query(join(root, 'nan.parquet')), /nan\.parquet: row 2 is not a finite unit vector \(squared norm NaN\); it was changed after it was saved/);
  const narrow = Float32Array.from({ length: 6 * 8 }, (_, index) => saved.values[Math.floor(index / 8) * 16 + (index % 8)]);
  writeSavedEmbeddings(join(root, 'narrow.parquet'), { ...saved, dimension: 8, values: narrow });
  await expectStale(query(join(root, 'narrow.parquet')), /narrow\.parquet: holds 8 values per image, the model's embeddings have 16/);
  writeFileSync(join(root, 'cut.parquet'), readFileSync(file).subarray(0, 200));
  await expectStale(query(join(root, 'cut.parquet')), /cut\.parquet: not a usable embeddings file \(.*\); write one with --save-embeddings/);
  const storeDir = join(root, 'tamper-store');
  await retrieve({ ...common, cacheDir: storeDir, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), queries: ['x'] });
  const chunk = findParquet(join(storeDir, 'embeddings', 'images'));
  await expectStale(query(chunk), /not a usable embeddings file \(a store chunk, not a saved file: it has no path column\)/);
});

function findParquet(folder: string): string {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name.endsWith('.parquet')) return join(folder, entry.name);
    if (entry.isDirectory()) return findParquet(join(folder, entry.name));
  }
  throw new Error(`no .parquet under ${folder}`);
}

test('the store: a second call encodes nothing and answers the same; --cache-only names a new image', async () => {
  const cacheDir = join(root, 'inference-store');
  const folder = join(root, 'store-tiles');
  cpSync(join(fixtures, 'tiles'), folder, { recursive: true });
  const notes: string[] = [];
  const first = await classify({ ...common, cacheDir, model: 'Llama3-MS-CLIP-Base', images: folder, classNames: GOLDEN_CLASSES });
  assert.equal(first.embeddings, { source: 'encoded', encoded: 6, from_store: 0 });
  const progress: number[] = [];
  const second = await classify({ ...common, cacheDir, model: 'Llama3-MS-CLIP-Base', images: folder, classNames: GOLDEN_CLASSES, onNote: (line) => notes.push(line), onProgress: (done) => progress.push(done) });
  assert.equal(second.embeddings, { source: 'encoded', encoded: 0, from_store: 6 });
  assert.equal(progress, [], 'no image read');
  assert.ok(notes.some((line) => /6 of 6 image embeddings from the store/.test(line)), notes.join('\n'));
  compareClassification(second, readGolden('ms'));
  assert.equal(second.images.map((image) => image.probabilities), first.images.map((image) => image.probabilities));
  writeFileSync(join(folder, 'zz-new.npy'), readFileSync(join(folder, 'e-band-last.npy')));
  await expectStale(() => classify({ ...common, cacheDir, cacheOnly: true, model: 'Llama3-MS-CLIP-Base', images: folder, classNames: GOLDEN_CLASSES }), /--cache-only: Llama3-MS-CLIP-Base: 1 of 7 image\(s\) not in the store \(.*\): "zz-new\.npy"; run without --cache-only/);
});

const pandas = pythonTest(['pandas', 'pyarrow'], 'pandas.read_parquet on a saved embeddings file');
pandas.test('pandas.read_parquet reads a --save-embeddings file: id, path, stamp, embedding and the key', async () => {
  const file = join(root, 'for-pandas.parquet');
  await retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), queries: ['x'], saveEmbeddings: file });
  const saved = readSavedEmbeddings(file);
  const script = [
    'import json, sys',
    'import numpy as np, pandas as pd, pyarrow.parquet as pq',
    'frame = pd.read_parquet(sys.argv[1])',
    'meta = json.loads(pq.read_schema(sys.argv[1]).metadata[b"msclip-bench"])',
    'print(json.dumps({"columns": list(frame.columns), "ids": frame["id"].tolist(), "rows": np.stack(frame["embedding"].to_numpy()).astype(float).tolist(), "model": meta["model"], "dimension": meta["dimension"]}))',
  ].join('\n');
  const result = spawnSync(pandas.python, ['-c', script, file], { encoding: 'utf8' });
  assert.is(result.status, 0, result.stderr.slice(-2000));
  const read = JSON.parse(result.stdout) as { columns: string[]; ids: string[]; rows: number[][]; model: string; dimension: number };
  assert.equal(read.columns, ['id', 'stamp', 'path', 'embedding']);
  assert.equal(read.ids, [...saved.ids]);
  assert.equal(read.rows.flat(), Array.from(saved.values));
  assert.is(read.model, 'Llama3-MS-CLIP-Base');
  assert.is(read.dimension, 16);
});

test('empty class list, empty queries and both cache flags are one-line usage errors', async () => {
  await expectStale(() => classify({ ...common, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), classNames: [' ', ''] }), /no class names/);
  await expectStale(() => retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), queries: [] }), /no queries/);
  await expectStale(() => classify({ ...common, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), classNames: ['a', 'a'] }), /given twice/);
  await expectStale(() => retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', images: join(fixtures, 'tiles'), queries: ['x'], embeddings: 'a', saveEmbeddings: 'b' }), /not both/);
});

test('ties keep the listing order; top-k is capped at the number of images', async () => {
  const folder = join(root, 'twins');
  cpSync(join(fixtures, 'tiles', 'f-band-first.npy'), join(folder, 'b.npy'));
  cpSync(join(fixtures, 'tiles', 'f-band-first.npy'), join(folder, 'a.npy'));
  cpSync(join(fixtures, 'tiles', 'f-band-first.npy'), join(folder, 'c.npy'));
  const notes: string[] = [];
  const result = await retrieve({ ...common, model: 'Llama3-MS-CLIP-Base', images: folder, queries: ['a river'], topK: 10, onNote: (line) => notes.push(line) });
  assert.equal(result.queries[0].results.map((hit) => hit.name), ['a.npy', 'b.npy', 'c.npy']);
  assert.ok(notes.some((line) => /top-k 10 is more than the 3 image/.test(line)));
});

test.run();
