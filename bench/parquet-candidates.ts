/**
 * `npm run bench:parquet -- [--rows 125866] [--candidates a,b] [--layouts chunks,single]`
 *
 * How the Parquet writer/reader of the embedding store was chosen: every candidate
 * writes and reads the BigEarthNet test split's worth of embeddings (125,866 x 512
 * float32 with string ids and stamps, as a list<float32> column), in 1000-row chunk
 * files (the store's layout) and as one file (--save-embeddings), each phase in its
 * own process for its peak memory. Rows are compared exactly after reading.
 *
 * Candidates other than our own layout are not dependencies; install them to compare:
 *   npm install --no-save parquet-wasm apache-arrow hyparquet hyparquet-writer @duckdb/node-bindings
 * A candidate that is not installed is skipped with that line.
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/require-await -- the candidates are optional packages loaded by name when installed (npm install --no-save), without types here; each adapter has the same async shape */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIMENSION, BENCH_ROWS, peakRssMiB, syntheticEmbeddings } from '../cli/bench-support.ts';
import { decodeEmbeddingTable } from '../embeddings/parquet/read.ts';
import { encodeEmbeddingTableParts } from '../embeddings/parquet/write.ts';

interface Table {
  ids: string[];
  stamps: string[];
  values: Float32Array;
}

interface Codec {
  write(file: string, table: Table): Promise<void>;
  /** Reads the file's rows into `out` from row `offset`; returns the row count. */
  read(file: string, out: Float32Array, offset: number): Promise<number>;
}

const DIM = BENCH_DIMENSION;
const METADATA = { 'msclip-bench': JSON.stringify({ key: 'x'.repeat(400) }) };

// The candidates are optional packages: loaded by name, typed by what this file uses.
type Loose = any;
const load = (name: string): Promise<Loose> => import(name);

const CANDIDATES: Record<string, { packages: string[]; open: () => Promise<Codec> }> = {
  /** Our layout (embeddings/parquet/): PLAIN, uncompressed, v1 pages, written and read as copies. */
  'msclip-bench': {
    packages: [],
    async open() {
      return {
        // As the store uses it: the file written from views of the floats, read straight into `out`.
        async write(file, table) {
          const parts = encodeEmbeddingTableParts({
            strings: [{ name: 'id', values: table.ids }, { name: 'stamp', values: table.stamps }],
            embedding: { name: 'embedding', dimension: DIM, values: table.values }, metadata: METADATA,
          }, { createdBy: 'msclip-bench version bench' });
          const descriptor = openSync(file, 'w');
          for (const part of parts) writeSync(descriptor, part);
          closeSync(descriptor);
        },
        async read(file, out, offset) {
          const table = decodeEmbeddingTable(readFileSync(file), undefined, { scratch: out.subarray(offset * DIM) });
          if (table.embedding.values.buffer !== out.buffer) out.set(table.embedding.values, offset * DIM);
          return table.strings[0].values.length;
        },
      };
    },
  },
  /** Rust's parquet crate in WebAssembly, fed through Arrow IPC (apache-arrow builds the table). */
  'parquet-wasm': {
    packages: ['parquet-wasm', 'apache-arrow'],
    async open() {
      const parquet = await load('parquet-wasm');
      const arrow = await load('apache-arrow');
      const listType = new arrow.List(new arrow.Field('element', new arrow.Float32(), false));
      return {
        async write(file, table) {
          const rows = table.ids.length;
          const child = arrow.makeData({ type: new arrow.Float32(), length: rows * DIM, nullCount: 0, data: table.values });
          const valueOffsets = Int32Array.from({ length: rows + 1 }, (_, row) => row * DIM);
          const list = arrow.makeData({ type: listType, length: rows, nullCount: 0, valueOffsets, child });
          const schema = new arrow.Schema([new arrow.Field('id', new arrow.Utf8(), false), new arrow.Field('stamp', new arrow.Utf8(), false), new arrow.Field('embedding', listType, false)]);
          const columns = [arrow.vectorFromArray(table.ids, new arrow.Utf8()).data[0], arrow.vectorFromArray(table.stamps, new arrow.Utf8()).data[0], list];
          const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: rows, nullCount: 0, children: columns }));
          const wasmTable = parquet.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(schema, [batch]), 'stream'));
          const properties = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.UNCOMPRESSED).setDictionaryEnabled(false)
            .setStatisticsEnabled(parquet.EnabledStatistics.None).setKeyValueMetadata(new Map(Object.entries(METADATA))).build();
          writeFileSync(file, parquet.writeParquet(wasmTable, properties));
        },
        async read(file, out, offset) {
          const table = arrow.tableFromIPC(parquet.readParquet(readFileSync(file), { columns: ['id', 'embedding'] }).intoIPCStream());
          let rows = 0;
          for (const data of table.getChild('embedding').data) {
            const child = data.children[0];
            out.set(child.values.subarray(child.offset + data.valueOffsets[data.offset], child.offset + data.valueOffsets[data.offset + data.length]), (offset + rows) * DIM);
            rows += data.length;
          }
          return rows;
        },
      };
    },
  },
  /** Pure JavaScript: hyparquet-writer writes from JS arrays, hyparquet reads into JS arrays. */
  hyparquet: {
    packages: ['hyparquet', 'hyparquet-writer'],
    async open() {
      const writer = await load('hyparquet-writer');
      const reader = await load('hyparquet');
      return {
        async write(file, table) {
          const rows = Array.from({ length: table.ids.length }, (_, row) => Array.from(table.values.subarray(row * DIM, (row + 1) * DIM)));
          writeFileSync(file, new Uint8Array(writer.parquetWriteBuffer({
            codec: 'UNCOMPRESSED', statistics: false, rowGroupSize: table.ids.length,
            kvMetadata: Object.entries(METADATA).map(([key, value]) => ({ key, value })),
            columnData: [{ name: 'id', data: table.ids }, { name: 'stamp', data: table.stamps }, { name: 'embedding', data: rows }],
            schema: [
              { name: 'root', num_children: 3 },
              { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
              { name: 'stamp', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
              { name: 'embedding', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
              { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
              { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
            ],
          })));
        },
        async read(file, out, offset) {
          const bytes = readFileSync(file);
          const rows = await reader.parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), columns: ['id', 'embedding'] });
          rows.forEach((row: { embedding: number[] }, index: number) => out.set(row.embedding, (offset + index) * DIM));
          return rows.length;
        },
      };
    },
  },
  /**
   * DuckDB's C++ writer and reader through its C API bindings, the fastest way in:
   * floats copied straight into the list vectors, COPY ... TO parquet.
   */
  duckdb: {
    packages: ['@duckdb/node-bindings'],
    async open() {
      const duckdb = (await load('@duckdb/node-bindings')).default;
      const connection = await duckdb.connect(await duckdb.open(':memory:'));
      await duckdb.query(connection, 'CREATE TABLE t (id VARCHAR NOT NULL, stamp VARCHAR NOT NULL, embedding FLOAT[] NOT NULL)');
      const varchar = (): Loose => duckdb.create_logical_type(duckdb.Type.VARCHAR);
      const types = [varchar(), varchar(), duckdb.create_list_type(duckdb.create_logical_type(duckdb.Type.FLOAT))];
      const vectorRows = duckdb.vector_size();
      return {
        async write(file, table) {
          const appender = duckdb.appender_create(connection, null, 't');
          for (let start = 0; start < table.ids.length; start += vectorRows) {
            const count = Math.min(vectorRows, table.ids.length - start);
            const chunk = duckdb.create_data_chunk(types);
            const [ids, stamps, list] = [0, 1, 2].map((column) => duckdb.data_chunk_get_vector(chunk, column));
            for (let row = 0; row < count; row++) {
              duckdb.vector_assign_string_element(ids, row, table.ids[start + row]);
              duckdb.vector_assign_string_element(stamps, row, table.stamps[start + row]);
            }
            const entries = new BigUint64Array(count * 2);
            for (let row = 0; row < count; row++) [entries[2 * row], entries[2 * row + 1]] = [BigInt(row * DIM), BigInt(DIM)];
            duckdb.copy_data_to_vector(list, 0, entries.buffer, 0, entries.byteLength);
            duckdb.list_vector_reserve(list, count * DIM);
            duckdb.list_vector_set_size(list, count * DIM);
            duckdb.copy_data_to_vector(duckdb.list_vector_get_child(list), 0, table.values.buffer, table.values.byteOffset + start * DIM * 4, count * DIM * 4);
            duckdb.data_chunk_set_size(chunk, count);
            duckdb.append_data_chunk(appender, chunk);
          }
          duckdb.appender_close_sync(appender);
          await duckdb.query(connection, `COPY t TO '${file}' (FORMAT parquet, COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 1, KV_METADATA {msclip: 'x'})`);
          await duckdb.query(connection, 'DELETE FROM t');
        },
        async read(file, out, offset) {
          const result = await duckdb.query(connection, `SELECT embedding FROM read_parquet('${file}')`);
          let rows = 0;
          for (let chunk = await duckdb.fetch_chunk(result); chunk && duckdb.data_chunk_get_size(chunk) > 0; chunk = await duckdb.fetch_chunk(result)) {
            const count = duckdb.data_chunk_get_size(chunk);
            const list = duckdb.data_chunk_get_vector(chunk, 0);
            const entries = duckdb.vector_get_data(list, count * 16);
            const starts = new BigUint64Array(entries.buffer, entries.byteOffset, count * 2);
            const total = duckdb.list_vector_get_size(list);
            const raw = duckdb.vector_get_data(duckdb.list_vector_get_child(list), total * 4);
            const values = new Float32Array(raw.buffer, raw.byteOffset, total);
            for (let row = 0; row < count; row++) {
              const start = Number(starts[2 * row]);
              out.set(values.subarray(start, start + DIM), (offset + rows + row) * DIM);
            }
            rows += count;
          }
          return rows;
        },
      };
    },
  },
};

interface PhaseFigures {
  seconds: number;
  cpuSeconds: number;
  peakMiB: number;
  rows?: number;
  exact?: boolean;
}

async function phase(name: string, kind: 'write' | 'read', layout: string, dir: string, rows: number): Promise<PhaseFigures> {
  const codec = await CANDIDATES[name].open();
  const chunkRows = layout === 'single' ? rows : 1000;
  if (kind === 'write') {
    const { ids, values } = syntheticEmbeddings(rows, DIM);
    const stamps = ids.map((_, row) => (Math.imul(row, 2_654_435_761) >>> 0).toString(16).padStart(32, '0'));
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let start = 0; start < rows; start += chunkRows) {
      const end = Math.min(rows, start + chunkRows);
      await codec.write(join(dir, `${String(start).padStart(7, '0')}.parquet`), { ids: ids.slice(start, end), stamps: stamps.slice(start, end), values: values.subarray(start * DIM, end * DIM) });
    }
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, peakMiB: peakRssMiB() };
  }
  const started = performance.now();
  const cpu = process.cpuUsage();
  const out = new Float32Array(rows * DIM);
  let offset = 0;
  for (const file of readdirSync(dir).sort()) offset += await codec.read(join(dir, file), out, offset);
  const used = process.cpuUsage(cpu);
  const figures = { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, peakMiB: peakRssMiB(), rows: offset };
  const expected = syntheticEmbeddings(rows, DIM).values;
  return { ...figures, exact: offset === rows && expected.every((value, index) => value === out[index]) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: String(BENCH_ROWS) },
      candidates: { type: 'string', default: Object.keys(CANDIDATES).join(',') },
      layouts: { type: 'string', default: 'chunks,single' },
      child: { type: 'string' }, phase: { type: 'string' }, layout: { type: 'string' }, dir: { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  if (values.child) {
    process.stdout.write(`${JSON.stringify(await phase(values.child, values.phase as 'write' | 'read', values.layout!, values.dir!, rows))}\n`);
    return;
  }
  const megabytes = (rows * DIM * 4) / 1e6;
  console.log(`${rows} x ${DIM} float32 (${megabytes.toFixed(0)} MB) + id and stamp strings; targets: write < 3 s, read < 2 s, peak < ${((2 * megabytes * 1e6) / 2 ** 20).toFixed(0)} MiB (2x the matrix)`);
  for (const name of values.candidates.split(',')) {
    const candidate = CANDIDATES[name];
    if (!candidate) throw new Error(`unknown candidate ${name}; known: ${Object.keys(CANDIDATES).join(', ')}`);
    try {
      await candidate.open();
    } catch {
      console.log(`${name}: skipped, not installed (npm install --no-save ${candidate.packages.join(' ')})`);
      continue;
    }
    for (const layout of values.layouts.split(',')) {
      const dir = join(tmpdir(), `msclip-parquet-${name.replace(/\W/g, '_')}-${layout}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const run = (kind: string): PhaseFigures | string => {
        const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--child', name, '--phase', kind, '--layout', layout, '--dir', dir, '--rows', String(rows)], { encoding: 'utf8' });
        if (child.status !== 0) return `failed: ${child.stderr.trim().split('\n').slice(-3).join(' ')}`;
        return JSON.parse(child.stdout.trim().split('\n').pop()!) as PhaseFigures;
      };
      const describe = (figures: PhaseFigures | string): string => (typeof figures === 'string' ? figures
        : `${figures.seconds.toFixed(2)} s (${figures.cpuSeconds.toFixed(2)} s CPU) = ${(megabytes / figures.seconds).toFixed(0)} MB/s, peak ${figures.peakMiB.toFixed(0)} MiB`);
      const write = run('write');
      const read = typeof write === 'string' ? 'not run' : run('read');
      const size = readdirSync(dir).reduce((total, file) => total + statSync(join(dir, file)).size, 0) / 1e6;
      const exact = typeof read === 'string' ? '' : read.exact ? ', rows exact' : ', ROWS DIFFER';
      console.log(`${name.padEnd(13)} ${layout.padEnd(6)} write ${describe(write)}; read ${describe(read)}${exact}; ${size.toFixed(0)} MB`);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
