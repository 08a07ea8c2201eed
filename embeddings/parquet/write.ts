/**
 * Writes an embedding table (format.ts) as one Parquet file in memory. The float
 * values are copied once into the output; levels and headers are a few bytes a row.
 *
 * Imports only its siblings.
 */
import {
  ColumnChunk, ColumnMetaData, ConvertedType, DataPageHeader, Encoding, FileMetaData, KeyValue, LogicalType, MAGIC,
  PageHeader, PageType, PhysicalType, Repetition, RowGroup, SchemaElement, rowsPerPage, type EmbeddingTable,
} from './format.ts';
import { binary, encodeStruct, i32, i64, list, struct, type ThriftStruct } from './thrift.ts';

export interface WriteOptions {
  /** The footer's created_by, "<application> version <x.y.z>". */
  createdBy: string;
}

/** One column chunk: its pages (header bytes, then body parts) and its metadata. */
interface ColumnPlan {
  path: string[];
  type: number;
  encodings: number[];
  numValues: number;
  pages: Uint8Array[];
  size: number;
}

function pageHeader(numValues: number, bodySize: number): Uint8Array {
  return encodeStruct([
    [PageHeader.type, i32(PageType.DATA_PAGE)],
    [PageHeader.uncompressedPageSize, i32(bodySize)],
    [PageHeader.compressedPageSize, i32(bodySize)],
    [PageHeader.dataPageHeader, struct([
      [DataPageHeader.numValues, i32(numValues)],
      [DataPageHeader.encoding, i32(Encoding.PLAIN)],
      [DataPageHeader.definitionLevelEncoding, i32(Encoding.RLE)],
      [DataPageHeader.repetitionLevelEncoding, i32(Encoding.RLE)],
    ])],
  ]);
}

function varint(out: number[], value: number): void {
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
}

/** 4-byte little-endian length, then the RLE/bit-packed hybrid runs (bit width 1). */
function levels(runs: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + runs.length);
  new DataView(bytes.buffer).setUint32(0, runs.length, true);
  bytes.set(runs, 4);
  return bytes;
}

/** An RLE run of `count` copies of `value` (bit width 1: one value byte). */
function run(out: number[], count: number, value: 0 | 1): void {
  varint(out, count * 2);
  out.push(value);
}

function stringColumn(name: string, values: readonly string[]): ColumnPlan {
  const pages: Uint8Array[] = [];
  const perPage = 8192;
  let size = 0;
  for (let start = 0; start < values.length || start === 0; start += perPage) {
    const encoded = values.slice(start, start + perPage).map((value) => Buffer.from(value, 'utf8'));
    const body = new Uint8Array(encoded.reduce((total, bytes) => total + 4 + bytes.length, 0));
    const view = new DataView(body.buffer);
    let offset = 0;
    for (const bytes of encoded) {
      view.setUint32(offset, bytes.length, true);
      body.set(bytes, offset + 4);
      offset += 4 + bytes.length;
    }
    const header = pageHeader(encoded.length, body.length);
    pages.push(header, body);
    size += header.length + body.length;
    if (values.length === 0) break;
  }
  return { path: [name], type: PhysicalType.BYTE_ARRAY, encodings: [Encoding.PLAIN], numValues: values.length, pages, size };
}

function embeddingColumn(name: string, dimension: number, values: Float32Array): ColumnPlan {
  const rows = values.length / dimension;
  const pages: Uint8Array[] = [];
  let size = 0;
  const step = rowsPerPage(dimension);
  for (let start = 0; start < rows || start === 0; start += step) {
    const count = Math.min(step, rows - start);
    // Repetition level 0 starts a row, 1 continues it; definition level 1 = a present float.
    const repetition: number[] = [];
    if (dimension === 1) run(repetition, count, 0);
    else for (let row = 0; row < count; row++) {
      run(repetition, 1, 0);
      run(repetition, dimension - 1, 1);
    }
    const definition: number[] = [];
    if (count > 0) run(definition, count * dimension, 1);
    const repetitionBytes = levels(repetition);
    const definitionBytes = levels(definition);
    const floats = values.subarray(start * dimension, (start + count) * dimension);
    // Typed arrays are host-endian; every platform Node supports is little-endian, as Parquet is.
    const floatBytes = new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength);
    const bodySize = repetitionBytes.length + definitionBytes.length + floatBytes.length;
    const header = pageHeader(count * dimension, bodySize);
    pages.push(header, repetitionBytes, definitionBytes, floatBytes);
    size += header.length + bodySize;
    if (rows === 0) break;
  }
  return { path: [name, 'list', 'element'], type: PhysicalType.FLOAT, encodings: [Encoding.PLAIN, Encoding.RLE], numValues: rows * dimension, pages, size };
}

function schema(table: EmbeddingTable): ThriftStruct[] {
  const elements: ThriftStruct[] = [[[SchemaElement.name, binary('schema')], [SchemaElement.numChildren, i32(table.strings.length + 1)]]];
  for (const column of table.strings) {
    elements.push([
      [SchemaElement.type, i32(PhysicalType.BYTE_ARRAY)], [SchemaElement.repetitionType, i32(Repetition.REQUIRED)],
      [SchemaElement.name, binary(column.name)], [SchemaElement.convertedType, i32(ConvertedType.UTF8)],
      [SchemaElement.logicalType, struct([[LogicalType.STRING, struct([])]])],
    ]);
  }
  elements.push(
    [
      [SchemaElement.repetitionType, i32(Repetition.REQUIRED)], [SchemaElement.name, binary(table.embedding.name)],
      [SchemaElement.numChildren, i32(1)], [SchemaElement.convertedType, i32(ConvertedType.LIST)],
      [SchemaElement.logicalType, struct([[LogicalType.LIST, struct([])]])],
    ],
    [[SchemaElement.repetitionType, i32(Repetition.REPEATED)], [SchemaElement.name, binary('list')], [SchemaElement.numChildren, i32(1)]],
    [[SchemaElement.type, i32(PhysicalType.FLOAT)], [SchemaElement.repetitionType, i32(Repetition.REQUIRED)], [SchemaElement.name, binary('element')]],
  );
  return elements;
}

/**
 * The whole file as parts to write in order: "PAR1", column chunks, footer, footer
 * length, "PAR1". The float parts are views of the table's values, not copies.
 */
export function encodeEmbeddingTableParts(table: EmbeddingTable, options: WriteOptions): Uint8Array[] {
  const { dimension, values } = table.embedding;
  if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`embedding dimension must be a positive integer, got ${dimension}`);
  if (values.length % dimension !== 0) throw new Error(`${values.length} floats are not whole rows of ${dimension}`);
  const rows = values.length / dimension;
  for (const column of table.strings) {
    if (column.values.length !== rows) throw new Error(`column ${column.name} has ${column.values.length} values for ${rows} rows`);
  }
  const columns = [...table.strings.map((column) => stringColumn(column.name, column.values)), embeddingColumn(table.embedding.name, dimension, values)];
  let offset = MAGIC.length;
  const chunks: ThriftStruct[] = columns.map((column) => {
    const start = offset;
    offset += column.size;
    return [
      [ColumnChunk.fileOffset, i64(start)],
      [ColumnChunk.metaData, struct([
        [ColumnMetaData.type, i32(column.type)],
        [ColumnMetaData.encodings, list('i32', column.encodings.map(i32))],
        [ColumnMetaData.pathInSchema, list('binary', column.path.map((part) => binary(part)))],
        [ColumnMetaData.codec, i32(0)],
        [ColumnMetaData.numValues, i64(column.numValues)],
        [ColumnMetaData.totalUncompressedSize, i64(column.size)],
        [ColumnMetaData.totalCompressedSize, i64(column.size)],
        [ColumnMetaData.dataPageOffset, i64(start)],
      ])],
    ];
  });
  const dataSize = offset - MAGIC.length;
  const footer = encodeStruct([
    [FileMetaData.version, i32(1)],
    [FileMetaData.schema, list('struct', schema(table).map(struct))],
    [FileMetaData.numRows, i64(rows)],
    [FileMetaData.rowGroups, list('struct', [struct([
      [RowGroup.columns, list('struct', chunks.map(struct))],
      [RowGroup.totalByteSize, i64(dataSize)],
      [RowGroup.numRows, i64(rows)],
      [RowGroup.fileOffset, i64(MAGIC.length)],
      [RowGroup.totalCompressedSize, i64(dataSize)],
    ])])],
    [FileMetaData.keyValueMetadata, list('struct', Object.entries(table.metadata).map(([key, value]) => struct([[KeyValue.key, binary(key)], [KeyValue.value, binary(value)]])))],
    [FileMetaData.createdBy, binary(options.createdBy)],
  ]);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, footer.length, true);
  const magic = Buffer.from(MAGIC, 'latin1');
  return [magic, ...columns.flatMap((column) => column.pages), footer, length, magic];
}

/** The whole file in one buffer (encodeEmbeddingTableParts, joined). */
export function encodeEmbeddingTable(table: EmbeddingTable, options: WriteOptions): Uint8Array {
  const parts = encodeEmbeddingTableParts(table, options);
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
