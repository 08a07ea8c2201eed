/**
 * The TIFF vocabulary shared by the reader (geotiff.ts) and the writer
 * (tiff-writer.ts): tag ids, field types, compression ids and the sample types the
 * data path supports. Kept as `as const` tables so both sides spell them the same.
 */

export const Tag = {
  imageWidth: 256,
  imageLength: 257,
  bitsPerSample: 258,
  compression: 259,
  photometric: 262,
  imageDescription: 270,
  stripOffsets: 273,
  samplesPerPixel: 277,
  rowsPerStrip: 278,
  stripByteCounts: 279,
  planarConfiguration: 284,
  software: 305,
  predictor: 317,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileByteCounts: 325,
  extraSamples: 338,
  sampleFormat: 339,
  modelPixelScale: 33550,
  modelTiepoint: 33922,
  geoKeyDirectory: 34735,
  gdalMetadata: 42112,
  gdalNoData: 42113,
} as const;

/** TIFF field types with their size in bytes (BigTIFF's 8-byte types included). */
export const FieldType = {
  byte: 1,
  ascii: 2,
  short: 3,
  long: 4,
  rational: 5,
  sbyte: 6,
  undefined: 7,
  sshort: 8,
  slong: 9,
  srational: 10,
  float: 11,
  double: 12,
  long8: 16,
  slong8: 17,
  ifd8: 18,
} as const;
export type FieldType = (typeof FieldType)[keyof typeof FieldType];

export const FIELD_TYPE_SIZE: Readonly<Record<number, number>> = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8, 17: 8, 18: 8,
};

export const CompressionId = {
  none: 1,
  lzw: 5,
  deflate: 8,
  /** The pre-standard deflate id some old writers still use. */
  deflateLegacy: 32946,
} as const;

export const PlanarConfiguration = { pixelInterleaved: 1, bandInterleaved: 2 } as const;

export const SampleFormatId = { unsigned: 1, signed: 2, float: 3 } as const;

export type SampleType = 'uint8' | 'int16' | 'uint16' | 'int32' | 'float32';
export type SampleArray = Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array;

export interface SampleTypeInfo {
  bits: 8 | 16 | 32;
  format: (typeof SampleFormatId)[keyof typeof SampleFormatId];
  create(length: number): SampleArray;
  view(buffer: ArrayBufferLike, byteOffset: number, length: number): SampleArray;
}

export const SAMPLE_TYPES: Readonly<Record<SampleType, SampleTypeInfo>> = {
  uint8: {
    bits: 8,
    format: SampleFormatId.unsigned,
    create: (length) => new Uint8Array(length),
    view: (buffer, byteOffset, length) => new Uint8Array(buffer, byteOffset, length),
  },
  int16: {
    bits: 16,
    format: SampleFormatId.signed,
    create: (length) => new Int16Array(length),
    view: (buffer, byteOffset, length) => new Int16Array(buffer, byteOffset, length),
  },
  uint16: {
    bits: 16,
    format: SampleFormatId.unsigned,
    create: (length) => new Uint16Array(length),
    view: (buffer, byteOffset, length) => new Uint16Array(buffer, byteOffset, length),
  },
  int32: {
    bits: 32,
    format: SampleFormatId.signed,
    create: (length) => new Int32Array(length),
    view: (buffer, byteOffset, length) => new Int32Array(buffer, byteOffset, length),
  },
  float32: {
    bits: 32,
    format: SampleFormatId.float,
    create: (length) => new Float32Array(length),
    view: (buffer, byteOffset, length) => new Float32Array(buffer, byteOffset, length),
  },
};

/** The sample type for a (SampleFormat, BitsPerSample) pair, or undefined when unsupported. */
export function sampleTypeOf(format: number, bits: number): SampleType | undefined {
  for (const [name, info] of Object.entries(SAMPLE_TYPES) as [SampleType, SampleTypeInfo][]) {
    if (info.format === format && info.bits === bits) return name;
  }
  return undefined;
}

/** The sample type of a typed array the data path produces. */
export function sampleTypeOfArray(array: SampleArray): SampleType {
  if (array instanceof Uint8Array) return 'uint8';
  if (array instanceof Int16Array) return 'int16';
  if (array instanceof Uint16Array) return 'uint16';
  if (array instanceof Int32Array) return 'int32';
  return 'float32';
}
