/**
 * The embedding-table Parquet layout (embeddings/parquet/): round trips of every
 * shape, the compact-protocol codec on its edge cases, and no wrong answer from a
 * damaged file (every truncation, and layouts we do not write, are ParquetLayoutErrors).
 * Interoperability with pyarrow, both ways, is checked in store.test.ts's Python part
 * and here when pandas/pyarrow are available.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pythonTest } from '../support/python.ts';
import { ParquetLayoutError, type EmbeddingTable } from '../../embeddings/parquet/format.ts';
import { decodeEmbeddingTable, readFooter } from '../../embeddings/parquet/read.ts';
import { binary, encodeStruct, i32, i64, list, struct, ThriftReader } from '../../embeddings/parquet/thrift.ts';
import { encodeEmbeddingTable } from '../../embeddings/parquet/write.ts';

const OPTIONS = { createdBy: 'msclip-bench version test' };

function table(rows: number, dimension: number): EmbeddingTable {
  return {
    strings: [
      { name: 'id', values: Array.from({ length: rows }, (_, row) => `Forêt/tile_${row}.tif`) },
      { name: 'stamp', values: Array.from({ length: rows }, (_, row) => (row * 7919).toString(16)) },
    ],
    embedding: { name: 'embedding', dimension, values: Float32Array.from({ length: rows * dimension }, (_, index) => Math.fround(Math.cos(index) * 1e3) / 7) },
    metadata: { 'msclip-bench': '{"key":"value"}', other: '' },
  };
}

test('tables of every shape round-trip exactly (several pages, one-float rows, no rows)', () => {
  for (const [rows, dimension] of [[1, 1], [5, 1], [3, 7], [1000, 512], [2100, 512], [0, 16], [40, 3000]]) {
    const original = table(rows, dimension);
    const bytes = encodeEmbeddingTable(original, OPTIONS);
    const footer = readFooter(bytes);
    assert.is(footer.numRows, rows);
    assert.is(footer.createdBy, OPTIONS.createdBy);
    const back = decodeEmbeddingTable(bytes, footer);
    assert.equal(back.strings, original.strings);
    assert.equal(back.metadata, original.metadata);
    assert.equal(back.embedding.values, original.embedding.values, `${rows} x ${dimension}`);
    assert.is(back.embedding.dimension, rows === 0 ? 0 : dimension);
  }
});

test('the floats go into a scratch buffer when it is long enough', () => {
  const bytes = encodeEmbeddingTable(table(10, 4), OPTIONS);
  const scratch = new Float32Array(100);
  const back = decodeEmbeddingTable(bytes, undefined, { scratch });
  assert.is(back.embedding.values.buffer, scratch.buffer);
  assert.equal(back.embedding.values, table(10, 4).embedding.values);
  assert.is.not(decodeEmbeddingTable(bytes, undefined, { scratch: new Float32Array(39) }).embedding.values.length, 39);
});

test('the compact protocol: field deltas, long lists, negative and large integers', () => {
  const bytes = encodeStruct([
    [1, i32(-1)],
    [2, i64(2 ** 40 + 3)],
    [20, binary('far field')],
    [21, list('i32', Array.from({ length: 20 }, (_, index) => i32(index - 10)))],
    [40, struct([[1, i32(7)], [3, list('struct', [struct([[2, binary('x')]])])]])],
    [41, { type: 'bool', value: true }],
    [42, { type: 'bool', value: false }],
  ]);
  const decoded = new ThriftReader(bytes).struct();
  assert.is(decoded[1], -1);
  assert.is(decoded[2], 2 ** 40 + 3);
  assert.equal(Buffer.from(decoded[20] as Uint8Array).toString(), 'far field');
  assert.equal(decoded[21], Array.from({ length: 20 }, (_, index) => index - 10));
  const inner = decoded[40] as Record<number, unknown>;
  assert.is(inner[1], 7);
  assert.is(decoded[41], true);
  assert.is(decoded[42], false);
});

test('every truncation of a file, and every cut footer, is a ParquetLayoutError', () => {
  const bytes = encodeEmbeddingTable(table(6, 5), OPTIONS);
  for (let length = 0; length < bytes.length; length++) {
    assert.throws(() => decodeEmbeddingTable(bytes.subarray(0, length)), (error: unknown) => error instanceof ParquetLayoutError, `cut at ${length}`);
  }
  // A zeroed middle (a file system that lost data blocks) is caught by the page checks.
  const zeroed = bytes.slice();
  zeroed.fill(0, 4, 60);
  assert.throws(() => decodeEmbeddingTable(zeroed), (error: unknown) => error instanceof ParquetLayoutError);
});

test('rows of different lengths are refused with the row named', () => {
  const bytes = Buffer.from(encodeEmbeddingTable(table(2, 3), OPTIONS));
  // Per row the writer puts two RLE runs: one 0 ("02 00"), then two 1s ("04 01").
  const runs = bytes.indexOf(Buffer.from([0x02, 0x00, 0x04, 0x01, 0x02, 0x00, 0x04, 0x01]));
  assert.ok(runs > 0, 'the repetition runs are where the writer puts them');
  bytes[runs + 2] = 0x02; // row 1: 0, then one 1 -> 2 floats
  bytes[runs + 6] = 0x06; // row 2: 0, then three 1s -> 4 floats (6 in all, as the page says)
  assert.throws(() => decodeEmbeddingTable(bytes), /row 2 has 4 values, row 1 has 2/);
});

const arrow = pythonTest(['pyarrow'], 'pyarrow interoperability');
arrow.test('files pyarrow writes in the same layout (plain, uncompressed, v1 pages) are read; compressed ones are refused', () => {
  const work = mkdtempSync(join(tmpdir(), 'msclip-parquet-test-'));
  try {
    const script = [
      'import sys, pyarrow as pa, pyarrow.parquet as pq',
      'element = pa.list_(pa.field("element", pa.float32(), nullable=False))',
      'schema = pa.schema([pa.field("id", pa.string(), nullable=False), pa.field("embedding", element, nullable=False)])',
      'rows = [[float(r * 10 + c) / 4 for c in range(5)] for r in range(300)]',
      't = pa.table({"id": [f"image {r}" for r in range(300)], "embedding": rows}, schema=schema)',
      'pq.write_table(t, sys.argv[1] + "/plain.parquet", compression="none", use_dictionary=False, write_statistics=False, data_page_version="1.0", data_page_size=1000)',
      'pq.write_table(t, sys.argv[1] + "/snappy.parquet")',
    ].join('\n');
    const result = spawnSync(arrow.python, ['-c', script, work], { encoding: 'utf8' });
    assert.is(result.status, 0, result.stderr.slice(-2000));
    const plain = decodeEmbeddingTable(readFileSync(join(work, 'plain.parquet')));
    assert.is(plain.embedding.dimension, 5);
    assert.equal(plain.strings[0].values.slice(0, 2), ['image 0', 'image 1']);
    assert.equal(plain.embedding.values, Float32Array.from({ length: 1500 }, (_, index) => (Math.floor(index / 5) * 10 + (index % 5)) / 4));
    assert.throws(() => decodeEmbeddingTable(readFileSync(join(work, 'snappy.parquet'))), /SNAPPY|dictionary/);
    writeFileSync(join(work, 'ours.parquet'), encodeEmbeddingTable(table(3, 4), OPTIONS));
    const back = spawnSync(arrow.python, ['-c', 'import sys, pyarrow.parquet as pq; t = pq.read_table(sys.argv[1]); print(t.schema.field("embedding").type, t.num_rows)', join(work, 'ours.parquet')], { encoding: 'utf8' });
    assert.is(back.stdout.trim(), 'list<element: float not null> 3', back.stderr);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
