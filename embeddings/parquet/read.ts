/**
 * Reads an embedding table (format.ts) back, checking as it goes: a truncated file,
 * a file of another layout (compressed, dictionary-encoded, nullable, ragged rows) or
 * plain garbage is a ParquetLayoutError naming what is wrong, never a wrong answer.
 *
 * Reading is two steps so a caller can look at the key-value metadata (readFooter)
 * before paying for the columns (decodeEmbeddingTable).
 *
 * Imports only its siblings.
 */
import {
  CODEC_NAMES, ColumnChunk, ColumnMetaData, ConvertedType, DataPageHeader, Encoding, FileMetaData, KeyValue, MAGIC,
  PageHeader, PageType, ParquetLayoutError, PhysicalType, Repetition, RowGroup, SchemaElement, type EmbeddingTable,
} from './format.ts';
import { ThriftError, ThriftReader, type Decoded, type DecodedStruct } from './thrift.ts';

export interface ParquetFooter {
  numRows: number;
  metadata: Record<string, string>;
  createdBy: string;
  /** Names of the string columns, then the embedding column's. */
  strings: string[];
  embedding: string;
  /** Per row group: its row count and per column (schema order) the column chunk. */
  rowGroups: { numRows: number; columns: DecodedStruct[] }[];
}

function fail(message: string): never {
  throw new ParquetLayoutError(message);
}

const text = (value: Decoded | undefined): string => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : '');
const integer = (value: Decoded | undefined, what: string): number =>
  (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fail(`${what} is missing or invalid`));
const structs = (value: Decoded | undefined, what: string): DecodedStruct[] =>
  (Array.isArray(value) ? value.map((item) => (typeof item === 'object' && !(item instanceof Uint8Array) && !Array.isArray(item) ? item : fail(`${what} is not a list of structs`))) : fail(`${what} is missing`));

function checkSchema(elements: DecodedStruct[]): { strings: string[]; embedding: string } {
  const root = elements[0] ?? fail('the schema is empty');
  const children = integer(root[SchemaElement.numChildren], 'the schema root');
  const strings: string[] = [];
  let embedding: string | undefined;
  let index = 1;
  for (let child = 0; child < children; child++) {
    const element = elements[index] ?? fail('the schema ends early');
    const name = text(element[SchemaElement.name]);
    const repetition = element[SchemaElement.repetitionType];
    if (repetition !== Repetition.REQUIRED) fail(`column ${name} is not required (nullable columns are another layout)`);
    if (element[SchemaElement.numChildren] === undefined) {
      if (element[SchemaElement.type] !== PhysicalType.BYTE_ARRAY) fail(`column ${name} is neither a string nor the embedding list`);
      strings.push(name);
      index += 1;
      continue;
    }
    const list = elements[index + 1];
    const leaf = elements[index + 2];
    const isList = element[SchemaElement.convertedType] === ConvertedType.LIST && element[SchemaElement.numChildren] === 1
      && list?.[SchemaElement.repetitionType] === Repetition.REPEATED && list[SchemaElement.numChildren] === 1
      && leaf?.[SchemaElement.type] === PhysicalType.FLOAT && leaf[SchemaElement.repetitionType] === Repetition.REQUIRED
      && leaf[SchemaElement.numChildren] === undefined;
    if (!isList) fail(`column ${name} is not a list of required float32`);
    if (embedding !== undefined) fail(`two embedding columns (${embedding}, ${name})`);
    embedding = name;
    index += 3;
  }
  if (index !== elements.length) fail('the schema has more elements than the root names');
  return { strings, embedding: embedding ?? fail('no list<float32> column') };
}

/** The footer: checks the magic bytes at both ends, the schema, and the row groups. */
export function readFooter(bytes: Uint8Array): ParquetFooter {
  const magic = (at: number): string => Buffer.from(bytes.subarray(at, at + 4)).toString('latin1');
  if (bytes.length < 12 || magic(0) !== MAGIC) fail('not a Parquet file (no PAR1 at the start)');
  if (magic(bytes.length - 4) !== MAGIC) fail(`truncated (no PAR1 at the end of its ${bytes.length} bytes)`);
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(bytes.length - 8, true);
  const footerStart = bytes.length - 8 - footerLength;
  if (footerStart < 4) fail(`truncated (footer of ${footerLength} bytes in a ${bytes.length}-byte file)`);
  let footer: DecodedStruct;
  try {
    footer = new ThriftReader(bytes.subarray(footerStart, bytes.length - 8)).struct();
  } catch (error) {
    if (error instanceof ThriftError) fail(`unreadable footer (${error.message})`);
    throw error;
  }
  const { strings, embedding } = checkSchema(structs(footer[FileMetaData.schema], 'the schema'));
  const metadata: Record<string, string> = {};
  for (const entry of footer[FileMetaData.keyValueMetadata] === undefined ? [] : structs(footer[FileMetaData.keyValueMetadata], 'key-value metadata')) {
    metadata[text(entry[KeyValue.key])] = text(entry[KeyValue.value]);
  }
  const rowGroups = structs(footer[FileMetaData.rowGroups], 'the row groups').map((group) => {
    const columns = structs(group[RowGroup.columns], 'a row group\'s columns');
    if (columns.length !== strings.length + 1) fail(`a row group has ${columns.length} columns, the schema ${strings.length + 1}`);
    return { numRows: integer(group[RowGroup.numRows], 'a row group\'s row count'), columns };
  });
  const numRows = integer(footer[FileMetaData.numRows], 'the row count');
  if (rowGroups.reduce((total, group) => total + group.numRows, 0) !== numRows) fail('the row groups do not add up to the row count');
  return { numRows, metadata, createdBy: text(footer[FileMetaData.createdBy]), strings, embedding, rowGroups };
}

/** Each data page's levels and values, after checking the page is a plain, uncompressed v1 page. */
function* pages(bytes: Uint8Array, chunk: DecodedStruct, name: string): Generator<{ numValues: number; body: Uint8Array }> {
  const meta = chunk[ColumnChunk.metaData];
  if (typeof meta !== 'object' || meta instanceof Uint8Array || Array.isArray(meta)) return fail(`column ${name} has no metadata`);
  const codec = integer(meta[ColumnMetaData.codec], `column ${name}'s codec`);
  if (codec !== 0) fail(`column ${name} is ${CODEC_NAMES[codec] ?? `codec ${codec}`}-compressed (this layout is uncompressed)`);
  const total = integer(meta[ColumnMetaData.numValues], `column ${name}'s value count`);
  let offset = integer(meta[ColumnMetaData.dictionaryPageOffset] ?? meta[ColumnMetaData.dataPageOffset], `column ${name}'s page offset`);
  const end = offset + integer(meta[ColumnMetaData.totalCompressedSize], `column ${name}'s size`);
  if (end > bytes.length - 8) fail(`truncated (column ${name} runs past the footer)`);
  let seen = 0;
  while (seen < total || (total === 0 && offset < end)) {
    const reader = new ThriftReader(bytes.subarray(0, end), offset);
    let header: DecodedStruct;
    try {
      header = reader.struct();
    } catch (error) {
      if (error instanceof ThriftError) fail(`column ${name}: unreadable page header (${error.message})`);
      throw error;
    }
    const type = header[PageHeader.type];
    if (type !== PageType.DATA_PAGE) fail(`column ${name} has a ${type === PageType.DICTIONARY_PAGE ? 'dictionary' : type === PageType.DATA_PAGE_V2 ? 'version-2 data' : `type-${typeof type === 'number' ? type : '?'}`} page`);
    const size = integer(header[PageHeader.compressedPageSize], 'a page size');
    const dataHeader = header[PageHeader.dataPageHeader] as DecodedStruct | undefined;
    if (!dataHeader || dataHeader[DataPageHeader.encoding] !== Encoding.PLAIN) fail(`column ${name} is not PLAIN-encoded`);
    const numValues = integer(dataHeader[DataPageHeader.numValues], 'a page\'s value count');
    if (reader.offset + size > end) fail(`truncated (a page of column ${name} runs past its column)`);
    yield { numValues, body: bytes.subarray(reader.offset, reader.offset + size) };
    offset = reader.offset + size;
    seen += numValues;
    if (total === 0) break;
  }
  if (seen !== total) fail(`column ${name} holds ${seen} values, its metadata says ${total}`);
}

function decodeStrings(bytes: Uint8Array, chunk: DecodedStruct, name: string, out: string[]): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const page of pages(bytes, chunk, name)) {
    const base = page.body.byteOffset - bytes.byteOffset;
    let offset = 0;
    for (let index = 0; index < page.numValues; index++) {
      if (offset + 4 > page.body.length) fail(`column ${name}: a page ends inside a value`);
      const length = page.body[offset] | (page.body[offset + 1] << 8) | (page.body[offset + 2] << 16) | (page.body[offset + 3] << 24);
      if (length < 0 || offset + 4 + length > page.body.length) fail(`column ${name}: a value runs past its page`);
      out.push(buffer.toString('utf8', base + offset + 4, base + offset + 4 + length));
      offset += 4 + length;
    }
  }
}

/**
 * Walks the RLE/bit-packed runs of bit-width-1 levels, calling `visit(value, count)`
 * per run (bit-packed groups one level at a time). Returns the bytes consumed.
 */
function walkLevels(body: Uint8Array, offset: number, count: number, name: string, visit: (value: number, count: number) => void): number {
  if (offset + 4 > body.length) fail(`column ${name}: a page ends inside its levels`);
  const length = body[offset] | (body[offset + 1] << 8) | (body[offset + 2] << 16) | (body[offset + 3] << 24);
  const end = offset + 4 + length;
  if (length < 0 || end > body.length) fail(`column ${name}: levels run past their page`);
  let position = offset + 4;
  let seen = 0;
  while (seen < count) {
    let header = 0;
    let scale = 1;
    for (;;) {
      if (position >= end) fail(`column ${name}: levels end early`);
      const byte = body[position++];
      header += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
    }
    if (header % 2 === 0) {
      if (position >= end) fail(`column ${name}: levels end early`);
      const runLength = Math.min(header / 2, count - seen);
      visit(body[position++], runLength);
      seen += runLength;
    } else {
      const groups = (header - 1) / 2;
      for (let group = 0; group < groups && seen < count; group++) {
        if (position >= end) fail(`column ${name}: levels end early`);
        const byte = body[position++];
        for (let bit = 0; bit < 8 && seen < count; bit++, seen++) visit((byte >> bit) & 1, 1);
      }
    }
  }
  return end;
}

/** A column chunk's value count, from its metadata (pages() checks the pages agree). */
function valueCount(chunk: DecodedStruct, name: string): number {
  const meta = chunk[ColumnChunk.metaData] as DecodedStruct | undefined;
  return integer(meta?.[ColumnMetaData.numValues], `column ${name}'s value count`);
}

/**
 * Every row must be `dimension` present floats; returns the dimension (taken from the
 * first row). The floats go into `scratch` when it is long enough.
 */
function decodeEmbedding(bytes: Uint8Array, chunks: DecodedStruct[], name: string, numRows: number, scratch?: Float32Array): { dimension: number; values: Float32Array } {
  let dimension = 0;
  const total = chunks.reduce((sum, chunk) => sum + valueCount(chunk, name), 0);
  if (total > bytes.length / 4) fail(`column ${name} claims ${total} floats in a ${bytes.length}-byte file`);
  const values = scratch && scratch.length >= total ? scratch.subarray(0, total) : new Float32Array(total);
  let rows = 0;
  let current = 0; // length of the row being read
  let written = 0;
  const finishRow = (): void => {
    if (dimension === 0) dimension = current;
    else if (current !== dimension) fail(`column ${name}: row ${rows} has ${current} values, row 1 has ${dimension}`);
  };
  for (const chunk of chunks) {
    for (const page of pages(bytes, chunk, name)) {
      const body = page.body;
      let offset = walkLevels(body, 0, page.numValues, name, (level, count) => {
        if (level === 0) {
          for (let index = 0; index < count; index++) {
            if (rows > 0) finishRow();
            rows += 1;
            current = 1;
          }
        } else if (level === 1) {
          if (rows === 0) fail(`column ${name}: the first level does not start a row`);
          current += count;
        } else fail(`column ${name}: repetition level ${level} in a one-level list`);
      });
      offset = walkLevels(body, offset, page.numValues, name, (level) => {
        if (level !== 1) fail(`column ${name} has an empty or null list`);
      });
      const floatBytes = page.numValues * 4;
      if (offset + floatBytes !== body.length) fail(`column ${name}: a page holds ${body.length - offset} value bytes, ${floatBytes} expected`);
      if (written + page.numValues > total) fail(`column ${name} holds more values than its metadata says`);
      new Uint8Array(values.buffer, values.byteOffset + written * 4, floatBytes).set(body.subarray(offset, offset + floatBytes));
      written += page.numValues;
    }
  }
  if (rows > 0) finishRow();
  if (rows !== numRows) fail(`column ${name} holds ${rows} rows, the footer says ${numRows}`);
  return { dimension, values };
}

export interface DecodeOptions {
  /** Reused for the floats when long enough (the result is then a view of it). */
  scratch?: Float32Array;
}

/** The whole table. Throws ParquetLayoutError for anything this layout does not describe. */
export function decodeEmbeddingTable(bytes: Uint8Array, footer: ParquetFooter = readFooter(bytes), options: DecodeOptions = {}): EmbeddingTable {
  const strings = footer.strings.map((name) => ({ name, values: [] as string[] }));
  for (const group of footer.rowGroups) {
    for (const [index, column] of strings.entries()) decodeStrings(bytes, group.columns[index], column.name, column.values);
  }
  for (const column of strings) {
    if (column.values.length !== footer.numRows) fail(`column ${column.name} holds ${column.values.length} values, the footer says ${footer.numRows} rows`);
  }
  const embedding = decodeEmbedding(bytes, footer.rowGroups.map((group) => group.columns[strings.length]), footer.embedding, footer.numRows, options.scratch);
  return { strings, embedding: { name: footer.embedding, ...embedding }, metadata: footer.metadata };
}
