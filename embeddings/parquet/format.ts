/**
 * The one Parquet layout msclip-bench writes: an embedding table. Some required UTF-8
 * string columns (`id`, ...) and one `list<float32>` column whose rows all have the
 * same length, the Arrow/pyarrow three-level list:
 *
 *   message schema {
 *     required binary id (STRING);
 *     required group embedding (LIST) { repeated group list { required float element; } }
 *   }
 *
 * One row group, uncompressed PLAIN values in version-1 data pages, RLE levels, no
 * dictionary, no statistics: float embeddings do not compress, and this layout turns
 * writing and reading into copies (see bench/parquet-candidates.ts for the numbers).
 * pandas, polars, DuckDB and Arrow read it as any other Parquet file.
 *
 * Imports nothing.
 */

/** A table of one embedding per row. */
export interface EmbeddingTable {
  /** Required UTF-8 columns in file order, each `rows` long (e.g. id). */
  strings: { name: string; values: readonly string[] }[];
  /** The list<float32> column: rows x dimension values, row-major. */
  embedding: { name: string; dimension: number; values: Float32Array };
  /** The footer's key-value metadata. */
  metadata: Record<string, string>;
}

/** A file that is not (or no longer) a readable embedding table: truncated, foreign, other layout. */
export class ParquetLayoutError extends Error {
  override name = 'ParquetLayoutError';
}

export const MAGIC = 'PAR1';

// parquet.thrift enumerations (only the values this layout uses or names in errors).
export const PhysicalType = { FLOAT: 4, BYTE_ARRAY: 6 } as const;
export const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
export const ConvertedType = { UTF8: 0, LIST: 3 } as const;
export const Encoding = { PLAIN: 0, RLE: 3 } as const;
export const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 } as const;
export const CODEC_NAMES = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'];

/** Field ids of the parquet.thrift structs this layout reads and writes. */
export const FileMetaData = { version: 1, schema: 2, numRows: 3, rowGroups: 4, keyValueMetadata: 5, createdBy: 6 } as const;
export const SchemaElement = { type: 1, repetitionType: 3, name: 4, numChildren: 5, convertedType: 6, logicalType: 10 } as const;
export const RowGroup = { columns: 1, totalByteSize: 2, numRows: 3, fileOffset: 5, totalCompressedSize: 6 } as const;
export const ColumnChunk = { fileOffset: 2, metaData: 3 } as const;
export const ColumnMetaData = {
  type: 1, encodings: 2, pathInSchema: 3, codec: 4, numValues: 5, totalUncompressedSize: 6,
  totalCompressedSize: 7, dataPageOffset: 9, dictionaryPageOffset: 11,
} as const;
export const PageHeader = { type: 1, uncompressedPageSize: 2, compressedPageSize: 3, dataPageHeader: 5 } as const;
export const DataPageHeader = { numValues: 1, encoding: 2, definitionLevelEncoding: 3, repetitionLevelEncoding: 4 } as const;
export const KeyValue = { key: 1, value: 2 } as const;
/** LogicalType is a union: the field id says which. */
export const LogicalType = { STRING: 1, LIST: 3 } as const;

/** Values per data page: about 1 MiB of floats, so readers stream big files in steps. */
export function rowsPerPage(dimension: number): number {
  return Math.max(1, Math.floor(2 ** 20 / (4 * dimension)));
}
