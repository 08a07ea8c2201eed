/**
 * Reads a (Geo)TIFF into planar bands. Two decoders, one result:
 *
 * 1. Parse the header and first IFD ourselves (tiff-structure.ts).
 * 2. Fast path for what benchmark tiles are: uncompressed or deflate chunks, no
 *    predictor or horizontal differencing, strips or tiles, pixel- or
 *    band-interleaved, either byte order. It copies straight from the file bytes;
 *    a 64x64x13 int16 tile decodes in a few microseconds, where geotiff.js takes
 *    ~0.7 ms (its generic readRasters path: decoder lookup, promises per chunk).
 * 3. Everything else (LZW, floating-point predictor, ...) goes through geotiff.js.
 *
 * Either way the result is a RawImage of planar typed arrays plus the GDAL band
 * descriptions (tag 42112) when the file carries them. A file that cannot be read
 * is a one-line `UserError(imageInvalid)`: `<file>: not a readable GeoTIFF (...)`.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { inflateSync } from 'node:zlib';
import { fromArrayBuffer } from 'geotiff';
import { ErrorCode, UserError, fileError, shownPath } from '../../core/errors.ts';
import type { RawImage } from '../types.ts';
import { CompressionId, SAMPLE_TYPES, sampleTypeOfArray, type SampleArray, type SampleType } from './tags.ts';
import { TiffFormatError, gdalBandDescriptions, parseTiffLayout, type TiffLayout } from './structure.ts';

export interface GeoTiffRaster extends RawImage {
  data: SampleArray[];
  sampleType: SampleType;
  /** Samples per pixel in the file (data holds only the requested ones). */
  fileBands: number;
  /** GDAL band descriptions of the returned bands (null where the file names none). */
  descriptions: (string | null)[];
  interleave: 'pixel' | 'band';
  compression: number;
}

export interface DecodeOptions {
  /** Zero-based samples to decode, in the order wanted; default all. */
  samples?: readonly number[];
  /** Force a decoder (tests compare the two); default: the fast path when it applies. */
  decoder?: 'auto' | 'geotiff.js';
  /**
   * The largest width x height to decode. The header declares the size and decoding
   * allocates it up front, so a few MB of deflate can claim gigabytes: refused before
   * decoding. Default: no limit but what can be allocated.
   */
  maxPixels?: number;
}

/** V8's largest typed array, in elements. */
const MAX_ARRAY_LENGTH = 2 ** 32;

function invalid(file: string, reason: string): UserError {
  return new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: not a readable GeoTIFF (${reason})`, file);
}

/** Reads and decodes one file. */
export async function readGeoTiff(file: string, options: DecodeOptions = {}): Promise<GeoTiffRaster> {
  let bytes: Uint8Array;
  try {
    // Synchronous on purpose: tiles are small and this runs in worker threads, where
    // one blocking read costs a third of the CPU time of fs.promises' four round trips.
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: cannot read the file (${code ?? String(error)})`, file);
  }
  return decodeGeoTiff(bytes, file, options);
}

/** Decodes TIFF bytes; `file` names the source in errors. */
export async function decodeGeoTiff(bytes: Uint8Array, file: string, options: DecodeOptions = {}): Promise<GeoTiffRaster> {
  let layout: TiffLayout;
  try {
    layout = parseTiffLayout(bytes);
  } catch (error) {
    if (error instanceof TiffFormatError) throw invalid(file, error.message);
    throw error;
  }
  const samples = options.samples ?? Array.from({ length: layout.samplesPerPixel }, (_, index) => index);
  for (const sample of samples) {
    if (!Number.isInteger(sample) || sample < 0 || sample >= layout.samplesPerPixel) {
      throw invalid(file, `band ${sample + 1} requested but the file has ${layout.samplesPerPixel}`);
    }
  }
  if (layout.sampleType === undefined) {
    throw invalid(file, `unsupported samples: format ${layout.sampleFormat.join('/')} x ${layout.bitsPerSample.join('/')} bits; expected uint8, int16, uint16, int32 or float32`);
  }
  checkSize(layout, samples.length, file, options.maxPixels);
  const allDescriptions = gdalBandDescriptions(layout.gdalMetadata, layout.samplesPerPixel);
  const data = options.decoder !== 'geotiff.js' && fastPathApplies(layout)
    ? decodeFast(bytes, layout, layout.sampleType, samples, file)
    : await decodeWithGeotiffJs(bytes, layout.sampleType, samples, file);
  const descriptions = samples.map((sample) => allDescriptions[sample]);
  return {
    width: layout.width,
    height: layout.height,
    // GDAL numbers bands from 1; descriptions, when complete, are the better names.
    bands: descriptions.every((name) => name !== null) ? (descriptions) : samples.map((sample) => String(sample + 1)),
    data,
    sampleType: layout.sampleType,
    fileBands: layout.samplesPerPixel,
    descriptions,
    interleave: layout.planar === 2 ? 'band' : 'pixel',
    compression: layout.compression,
  };
}

/** Refuses a declared size over the limit, or one no typed array can hold, before anything is decoded. */
function checkSize(layout: TiffLayout, bands: number, file: string, maxPixels: number | undefined): void {
  const pixels = layout.width * layout.height;
  const size = `${layout.width}x${layout.height}`;
  if (maxPixels !== undefined && pixels > maxPixels) {
    throw fileError(ErrorCode.imageInvalid, file, `declares ${size} = ${pixels} pixels, more than the limit of ${maxPixels} (--max-image-pixels)`, `if the image is real, raise the limit with --max-image-pixels ${pixels}`);
  }
  if (pixels > MAX_ARRAY_LENGTH) {
    throw fileError(ErrorCode.imageInvalid, file, `declares ${size} = ${pixels} pixels per band, more than one array can hold (${MAX_ARRAY_LENGTH})`, 'cut the image into tiles');
  }
  const bytes = pixels * bands * SAMPLE_TYPES[layout.sampleType as SampleType].bits / 8;
  if (bytes > totalmem()) {
    throw fileError(ErrorCode.imageInvalid, file, `declares ${size} x ${bands} bands = ${(bytes / 2 ** 30).toFixed(1)} GB of samples, more than this machine's memory`, 'cut the image into tiles');
  }
}

function fastPathApplies(layout: TiffLayout): boolean {
  const compressionKnown = layout.compression === CompressionId.none || layout.compression === CompressionId.deflate || layout.compression === CompressionId.deflateLegacy;
  const integer = layout.sampleType !== 'float32';
  return compressionKnown && (layout.predictor === 1 || (layout.predictor === 2 && integer));
}

/**
 * The decompressed bytes of one chunk, aligned for a typed-array view. No chunk
 * inflates to more than a full chunk (`most` bytes), so a deflate bomb stops there.
 */
function chunkBytes(bytes: Uint8Array, layout: TiffLayout, index: number, expected: number, most: number, file: string): Uint8Array {
  const start = layout.offsets[index];
  const raw = bytes.subarray(start, start + layout.byteCounts[index]);
  let chunk: Uint8Array;
  if (layout.compression === CompressionId.none) {
    chunk = raw;
  } else {
    try {
      chunk = inflateSync(raw, { maxOutputLength: Math.max(1, most) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw invalid(file, `chunk ${index} inflates to more than the ${most} bytes a ${layout.chunkWidth}x${layout.chunkHeight} chunk holds`);
      throw invalid(file, `chunk ${index}: deflate data is corrupt (${(error as Error).message})`);
    }
  }
  if (chunk.byteLength < expected) throw invalid(file, `chunk ${index} holds ${chunk.byteLength} bytes, ${expected} expected (truncated?)`);
  const itemSize = SAMPLE_TYPES[layout.sampleType as SampleType].bits / 8;
  const needsCopy = chunk.byteOffset % itemSize !== 0 || chunk === raw && (layout.predictor !== 1 || !layout.littleEndian);
  // A real copy: the file bytes are a Buffer, whose slice() is a view (still misaligned, and shared).
  if (needsCopy) chunk = new Uint8Array(chunk.subarray(0, expected));
  if (!layout.littleEndian && itemSize > 1) swapBytes(chunk, itemSize, expected);
  return chunk;
}

function swapBytes(chunk: Uint8Array, itemSize: number, length: number): void {
  for (let at = 0; at + itemSize <= length; at += itemSize) {
    for (let low = at, high = at + itemSize - 1; low < high; low++, high--) {
      const byte = chunk[low];
      chunk[low] = chunk[high];
      chunk[high] = byte;
    }
  }
}

/*
 * The copy loops work on unsigned views of the sample width (bits are copied
 * exactly, and predictor sums wrap the same way signed or not). Each width has
 * its own function so every loop stays monomorphic: one shared loop fed several
 * typed-array kinds gets deoptimised by V8 and runs ~15x slower.
 */
interface Rows {
  rows: number;
  columns: number;
  chunkWidth: number;
  stride: number;
  sample: number;
  width: number;
  y0: number;
  x0: number;
}

function copy8(values: Uint8Array, target: Uint8Array, g: Rows): void {
  for (let row = 0; row < g.rows; row++) {
    let from = row * g.chunkWidth * g.stride + g.sample;
    let to = (g.y0 + row) * g.width + g.x0;
    for (const end = to + g.columns; to < end; to++, from += g.stride) target[to] = values[from];
  }
}

function copy16(values: Uint16Array, target: Uint16Array, g: Rows): void {
  for (let row = 0; row < g.rows; row++) {
    let from = row * g.chunkWidth * g.stride + g.sample;
    let to = (g.y0 + row) * g.width + g.x0;
    for (const end = to + g.columns; to < end; to++, from += g.stride) target[to] = values[from];
  }
}

function copy32(values: Uint32Array, target: Uint32Array, g: Rows): void {
  for (let row = 0; row < g.rows; row++) {
    let from = row * g.chunkWidth * g.stride + g.sample;
    let to = (g.y0 + row) * g.width + g.x0;
    for (const end = to + g.columns; to < end; to++, from += g.stride) target[to] = values[from];
  }
}

/** Undoes TIFF predictor 2 (horizontal differencing) in place, row by row. */
function undoDifferencing8(values: Uint8Array, rowLength: number, rows: number, stride: number): void {
  for (let row = 0, start = 0; row < rows; row++, start += rowLength * stride) {
    for (let at = start + stride, end = start + rowLength * stride; at < end; at++) values[at] += values[at - stride];
  }
}

function undoDifferencing16(values: Uint16Array, rowLength: number, rows: number, stride: number): void {
  for (let row = 0, start = 0; row < rows; row++, start += rowLength * stride) {
    for (let at = start + stride, end = start + rowLength * stride; at < end; at++) values[at] += values[at - stride];
  }
}

function undoDifferencing32(values: Uint32Array, rowLength: number, rows: number, stride: number): void {
  for (let row = 0, start = 0; row < rows; row++, start += rowLength * stride) {
    for (let at = start + stride, end = start + rowLength * stride; at < end; at++) values[at] += values[at - stride];
  }
}

const WIDTHS = {
  1: { view: (buffer: ArrayBufferLike, offset: number, length: number) => new Uint8Array(buffer, offset, length), copy: copy8, undo: undoDifferencing8 },
  2: { view: (buffer: ArrayBufferLike, offset: number, length: number) => new Uint16Array(buffer, offset, length), copy: copy16, undo: undoDifferencing16 },
  4: { view: (buffer: ArrayBufferLike, offset: number, length: number) => new Uint32Array(buffer, offset, length), copy: copy32, undo: undoDifferencing32 },
} as const;

function decodeFast(bytes: Uint8Array, layout: TiffLayout, sampleType: SampleType, samples: readonly number[], file: string): SampleArray[] {
  const info = SAMPLE_TYPES[sampleType];
  const itemSize = (info.bits / 8) as 1 | 2 | 4;
  const width = WIDTHS[itemSize] as { view: (buffer: ArrayBufferLike, offset: number, length: number) => Uint8Array; copy: typeof copy8; undo: typeof undoDifferencing8 };
  const { chunkWidth, chunkHeight, chunksAcross, chunksDown, samplesPerPixel } = layout;
  const out = samples.map(() => info.create(layout.width * layout.height));
  const targets = out.map((array) => width.view(array.buffer, array.byteOffset, array.length));
  const chunksPerPlane = chunksAcross * chunksDown;
  const interleaved = layout.planar === 1;
  const stride = interleaved ? samplesPerPixel : 1;
  // Pixel-interleaved: one plane feeds every output; band-interleaved: one plane each.
  const planes: [plane: number, position: number][] = interleaved ? [[0, -1]] : samples.map((sample, position) => [sample, position]);
  for (const [plane, planePosition] of planes) {
    for (let chunkRow = 0; chunkRow < chunksDown; chunkRow++) {
      for (let chunkColumn = 0; chunkColumn < chunksAcross; chunkColumn++) {
        const index = plane * chunksPerPlane + chunkRow * chunksAcross + chunkColumn;
        const y0 = chunkRow * chunkHeight;
        const x0 = chunkColumn * chunkWidth;
        // Strips at the bottom are short; tiles are always full size (padded).
        const storedRows = layout.tiled ? chunkHeight : Math.min(chunkHeight, layout.height - y0);
        const count = storedRows * chunkWidth * stride;
        const chunk = chunkBytes(bytes, layout, index, count * itemSize, chunkHeight * chunkWidth * stride * itemSize, file);
        const values = width.view(chunk.buffer, chunk.byteOffset, count);
        if (layout.predictor === 2) width.undo(values, chunkWidth, storedRows, stride);
        const geometry: Rows = {
          rows: Math.min(chunkHeight, layout.height - y0),
          columns: Math.min(chunkWidth, layout.width - x0),
          chunkWidth,
          stride,
          sample: 0,
          width: layout.width,
          y0,
          x0,
        };
        if (interleaved) {
          samples.forEach((sample, position) => width.copy(values, targets[position], { ...geometry, sample }));
        } else {
          width.copy(values, targets[planePosition], geometry);
        }
      }
    }
  }
  return out;
}

async function decodeWithGeotiffJs(bytes: Uint8Array, sampleType: SampleType, samples: readonly number[], file: string): Promise<SampleArray[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rasters: ArrayLike<unknown>[];
  try {
    const tiff = await fromArrayBuffer(buffer);
    const image = await tiff.getImage(0);
    rasters = await image.readRasters({ interleave: false, samples: [...samples] });
  } catch (error) {
    throw invalid(file, `geotiff.js: ${(error as Error).message ?? String(error)}`.replace(/\s+/g, ' '));
  }
  return samples.map((_, position) => {
    const raster = rasters[position] as SampleArray;
    if (sampleTypeOfArray(raster) === sampleType && ArrayBuffer.isView(raster)) return raster;
    const converted = SAMPLE_TYPES[sampleType].create(raster.length);
    converted.set(raster);
    return converted;
  });
}
