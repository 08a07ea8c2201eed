/**
 * A small GeoTIFF writer for tests, golden fixtures and the demo dataset generator:
 * uint8/int16/uint16/int32/float32 samples, any number of bands, pixel- or
 * band-interleaved, strips or tiles, no compression, deflate or LZW, optional GDAL
 * band descriptions and a minimal georeference. Classic little-endian TIFF only.
 *
 * File layout: header | IFD and its out-of-line values | chunk data. The IFD goes
 * first because its size is known before the chunk offsets are.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deflateSync } from 'node:zlib';
import { lzwEncode } from './lzw.ts';
import { CompressionId, FIELD_TYPE_SIZE, FieldType, PlanarConfiguration, SAMPLE_TYPES, Tag, type SampleArray, type SampleType } from './tags.ts';

export type TiffCompression = 'none' | 'deflate' | 'lzw';

export interface TiffImage {
  width: number;
  height: number;
  /** Planar bands, [band][row * width + column]; converted to `sampleType` on write. */
  data: ArrayLike<number>[];
}

export interface TiffWriteOptions {
  sampleType: SampleType;
  /** 'pixel' (PlanarConfiguration 1, the default) or 'band' (2). */
  interleave?: 'pixel' | 'band';
  /** Tile size (multiples of 16); omit for strips. */
  tile?: { width: number; height: number };
  /** Rows per strip; default: about 8 KiB per strip, as GDAL does. */
  rowsPerStrip?: number;
  compression?: TiffCompression;
  /** GDAL band descriptions, one per band (written as GDAL_METADATA, tag 42112). */
  descriptions?: readonly string[];
  /** A north-up georeference: upper-left corner and pixel size in the CRS's units. */
  geo?: { epsg: number; originX: number; originY: number; pixelSize: number };
  /** Start the chunk data one byte later, at odd offsets: legal TIFF that readers must not assume aligned. */
  oddOffsets?: boolean;
}

const COMPRESSION_IDS: Readonly<Record<TiffCompression, number>> = {
  none: CompressionId.none,
  deflate: CompressionId.deflate,
  lzw: CompressionId.lzw,
};

const COMPRESSORS: Readonly<Record<TiffCompression, (chunk: Uint8Array) => Uint8Array>> = {
  none: (chunk) => chunk,
  deflate: (chunk) => deflateSync(chunk),
  lzw: lzwEncode,
};

interface Field {
  tag: number;
  type: typeof FieldType.short | typeof FieldType.long | typeof FieldType.double | typeof FieldType.ascii;
  values: number[] | string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * GDAL's own spelling of band descriptions, so GDAL/rasterio read them back. GDAL
 * escapes the text twice (once as a value, once as XML) and unescapes twice.
 */
export function gdalMetadataXml(descriptions: readonly string[]): string {
  const items = descriptions.map((text, sample) => `  <Item name="DESCRIPTION" sample="${sample}" role="description">${escapeXml(escapeXml(text))}</Item>\n`);
  return `<GDALMetadata>\n${items.join('')}</GDALMetadata>\n`;
}

/** Cuts the image into chunks (raw, uncompressed bytes), in TIFF chunk order. */
function rawChunks(image: TiffImage, options: TiffWriteOptions): { chunks: Uint8Array[]; chunkWidth: number; chunkHeight: number } {
  const { width, height } = image;
  const info = SAMPLE_TYPES[options.sampleType];
  const itemSize = info.bits / 8;
  const bands = image.data.map((band) => {
    const typed = info.create(width * height);
    typed.set(band);
    return typed;
  });
  const interleaved = (options.interleave ?? 'pixel') === 'pixel';
  const samplesPerChunk = interleaved ? bands.length : 1;
  const chunkWidth = options.tile?.width ?? width;
  const chunkHeight = options.tile?.height
    ?? Math.min(height, options.rowsPerStrip ?? Math.max(1, Math.floor(8192 / (width * samplesPerChunk * itemSize))));
  const planes = interleaved ? [bands] : bands.map((band) => [band]);
  const chunks: Uint8Array[] = [];
  for (const plane of planes) {
    for (let y0 = 0; y0 < height; y0 += chunkHeight) {
      for (let x0 = 0; x0 < width; x0 += chunkWidth) {
        // Tiles are always full size (zero padded); the last strip is short.
        const rows = options.tile ? chunkHeight : Math.min(chunkHeight, height - y0);
        const values: SampleArray = info.create(rows * chunkWidth * samplesPerChunk);
        for (let row = 0; row < rows && y0 + row < height; row++) {
          for (let column = 0; column < chunkWidth && x0 + column < width; column++) {
            const from = (y0 + row) * width + x0 + column;
            const to = (row * chunkWidth + column) * samplesPerChunk;
            for (let sample = 0; sample < samplesPerChunk; sample++) values[to + sample] = plane[sample][from];
          }
        }
        chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      }
    }
  }
  return { chunks, chunkWidth, chunkHeight };
}

function validate(image: TiffImage, options: TiffWriteOptions): void {
  if (image.data.length < 1) throw new Error('a TIFF needs at least one band');
  for (const band of image.data) {
    if (band.length !== image.width * image.height) throw new Error(`band has ${band.length} values, ${image.width * image.height} expected`);
  }
  if (options.tile && (options.tile.width % 16 !== 0 || options.tile.height % 16 !== 0)) throw new Error('tile sizes must be multiples of 16');
  if (options.descriptions && options.descriptions.length !== image.data.length) throw new Error('one description per band');
}

/** Encodes an image as TIFF bytes. */
export function encodeTiff(image: TiffImage, options: TiffWriteOptions): Uint8Array {
  validate(image, options);
  const compression = options.compression ?? 'none';
  const info = SAMPLE_TYPES[options.sampleType];
  const samples = image.data.length;
  const { chunks: raw, chunkWidth, chunkHeight } = rawChunks(image, options);
  const chunks = raw.map(COMPRESSORS[compression]);
  const tiled = options.tile !== undefined;
  const perSample = (value: number): number[] => new Array<number>(samples).fill(value);

  const fields: Field[] = [
    { tag: Tag.imageWidth, type: FieldType.long, values: [image.width] },
    { tag: Tag.imageLength, type: FieldType.long, values: [image.height] },
    { tag: Tag.bitsPerSample, type: FieldType.short, values: perSample(info.bits) },
    { tag: Tag.compression, type: FieldType.short, values: [COMPRESSION_IDS[compression]] },
    { tag: Tag.photometric, type: FieldType.short, values: [1] }, // min-is-black: bands are data, not colour
    { tag: tiled ? Tag.tileOffsets : Tag.stripOffsets, type: FieldType.long, values: chunks.map(() => 0) },
    { tag: Tag.samplesPerPixel, type: FieldType.short, values: [samples] },
    { tag: tiled ? Tag.tileByteCounts : Tag.stripByteCounts, type: FieldType.long, values: chunks.map((chunk) => chunk.byteLength) },
    { tag: Tag.planarConfiguration, type: FieldType.short, values: [(options.interleave ?? 'pixel') === 'pixel' ? PlanarConfiguration.pixelInterleaved : PlanarConfiguration.bandInterleaved] },
    { tag: Tag.sampleFormat, type: FieldType.short, values: perSample(info.format) },
  ];
  if (tiled) {
    fields.push({ tag: Tag.tileWidth, type: FieldType.long, values: [chunkWidth] });
    fields.push({ tag: Tag.tileLength, type: FieldType.long, values: [chunkHeight] });
  } else {
    fields.push({ tag: Tag.rowsPerStrip, type: FieldType.long, values: [chunkHeight] });
  }
  if (samples > 1) fields.push({ tag: Tag.extraSamples, type: FieldType.short, values: perSample(0).slice(1) });
  if (options.geo) {
    const { epsg, originX, originY, pixelSize } = options.geo;
    fields.push({ tag: Tag.modelPixelScale, type: FieldType.double, values: [pixelSize, pixelSize, 0] });
    fields.push({ tag: Tag.modelTiepoint, type: FieldType.double, values: [0, 0, 0, originX, originY, 0] });
    // Version 1.1.0, 3 keys: projected model, pixel-is-area, the EPSG code.
    fields.push({ tag: Tag.geoKeyDirectory, type: FieldType.short, values: [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, epsg] });
  }
  if (options.descriptions) fields.push({ tag: Tag.gdalMetadata, type: FieldType.ascii, values: gdalMetadataXml(options.descriptions) });
  fields.sort((a, b) => a.tag - b.tag);
  return serialise(fields, chunks, tiled ? Tag.tileOffsets : Tag.stripOffsets, options.oddOffsets === true);
}

function fieldBytes(field: Field): number {
  const count = typeof field.values === 'string' ? Buffer.byteLength(field.values) + 1 : field.values.length;
  return count * FIELD_TYPE_SIZE[field.type];
}

function serialise(fields: Field[], chunks: Uint8Array[], offsetsTag: number, oddOffsets: boolean): Uint8Array {
  const ifdSize = 2 + fields.length * 12 + 4;
  let extra = 0;
  for (const field of fields) {
    const size = fieldBytes(field);
    if (size > 4) extra += size + (size % 2);
  }
  // Everything before the chunk data has an even size, so one pad byte makes the offsets odd.
  const dataStart = 8 + ifdSize + extra + (oddOffsets ? 1 : 0);
  let cursor = dataStart;
  const offsets = chunks.map((chunk) => {
    const at = cursor;
    cursor += chunk.byteLength;
    return at;
  });
  const offsetsField = fields.find((field) => field.tag === offsetsTag);
  if (offsetsField) offsetsField.values = offsets;

  const bytes = new Uint8Array(cursor);
  const view = new DataView(bytes.buffer);
  bytes.set([0x49, 0x49]);
  view.setUint16(2, 42, true);
  view.setUint32(4, 8, true);
  view.setUint16(8, fields.length, true);
  let external = 8 + ifdSize;
  fields.forEach((field, index) => {
    const at = 10 + index * 12;
    const size = fieldBytes(field);
    const count = typeof field.values === 'string' ? size : field.values.length;
    view.setUint16(at, field.tag, true);
    view.setUint16(at + 2, field.type, true);
    view.setUint32(at + 4, count, true);
    let valueAt = at + 8;
    if (size > 4) {
      view.setUint32(at + 8, external, true);
      valueAt = external;
      external += size + (size % 2);
    }
    writeValues(bytes, view, valueAt, field);
  });
  view.setUint32(10 + fields.length * 12, 0, true); // no next IFD
  chunks.forEach((chunk, index) => bytes.set(chunk, offsets[index]));
  return bytes;
}

function writeValues(bytes: Uint8Array, view: DataView, at: number, field: Field): void {
  if (typeof field.values === 'string') {
    bytes.set(Buffer.from(field.values, 'utf8'), at); // the terminating NUL is already zero
    return;
  }
  field.values.forEach((value, index) => {
    if (field.type === FieldType.short) view.setUint16(at + index * 2, value, true);
    else if (field.type === FieldType.long) view.setUint32(at + index * 4, value, true);
    else view.setFloat64(at + index * 8, value, true);
  });
}

/** Writes an image to a file (see encodeTiff), creating its folder. */
export async function writeTiff(file: string, image: TiffImage, options: TiffWriteOptions): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, encodeTiff(image, options));
}
