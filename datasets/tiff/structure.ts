/**
 * Parses the first image file directory of a TIFF (classic or BigTIFF, either byte
 * order) into the few facts the decoder needs: size, samples, sample type, chunk
 * grid (strips or tiles), compression, predictor and the GDAL metadata string.
 * Every structural inconsistency (bad header, a chunk running past the end of the
 * file, a wrong number of chunk offsets) is a `TiffFormatError` with a short reason;
 * geotiff.ts turns it into a one-line UserError naming the file.
 */
import { FIELD_TYPE_SIZE, FieldType, PlanarConfiguration, Tag, sampleTypeOf, type SampleType } from './tags.ts';

export class TiffFormatError extends Error {}

export interface TiffLayout {
  littleEndian: boolean;
  bigTiff: boolean;
  width: number;
  height: number;
  samplesPerPixel: number;
  bitsPerSample: number[];
  sampleFormat: number[];
  /** Undefined when the samples are mixed or of a type the data path does not support. */
  sampleType: SampleType | undefined;
  compression: number;
  predictor: number;
  planar: 1 | 2;
  tiled: boolean;
  /** Chunk (tile or strip) size in pixels; strips span the full width. */
  chunkWidth: number;
  chunkHeight: number;
  chunksAcross: number;
  chunksDown: number;
  offsets: number[];
  byteCounts: number[];
  /** GDAL_METADATA XML (tag 42112), when present. */
  gdalMetadata: string | undefined;
}

interface Entry {
  type: number;
  count: number;
  /** Absolute byte offset of the value (inline or pointed to). */
  valueOffset: number;
}

function readEntries(view: DataView, littleEndian: boolean, bigTiff: boolean): Map<number, Entry> {
  const length = view.byteLength;
  const ifdOffset = bigTiff ? Number(view.getBigUint64(8, littleEndian)) : view.getUint32(4, littleEndian);
  const countSize = bigTiff ? 8 : 2;
  const entrySize = bigTiff ? 20 : 12;
  if (ifdOffset < 8 || ifdOffset + countSize > length) throw new TiffFormatError(`first IFD offset ${ifdOffset} is outside the file (${length} bytes)`);
  const entryCount = bigTiff ? Number(view.getBigUint64(ifdOffset, littleEndian)) : view.getUint16(ifdOffset, littleEndian);
  if (ifdOffset + countSize + entryCount * entrySize > length) throw new TiffFormatError('the IFD runs past the end of the file');
  const entries = new Map<number, Entry>();
  for (let index = 0; index < entryCount; index++) {
    const at = ifdOffset + countSize + index * entrySize;
    const tag = view.getUint16(at, littleEndian);
    const type = view.getUint16(at + 2, littleEndian);
    const count = bigTiff ? Number(view.getBigUint64(at + 4, littleEndian)) : view.getUint32(at + 4, littleEndian);
    const typeSize = FIELD_TYPE_SIZE[type];
    if (typeSize === undefined) continue; // unknown field types are skipped, as libtiff does
    const inlineSize = bigTiff ? 8 : 4;
    const valueAt = at + (bigTiff ? 12 : 8);
    const valueOffset = typeSize * count <= inlineSize
      ? valueAt
      : bigTiff ? Number(view.getBigUint64(valueAt, littleEndian)) : view.getUint32(valueAt, littleEndian);
    if (valueOffset + typeSize * count > length) throw new TiffFormatError(`tag ${tag} points past the end of the file`);
    entries.set(tag, { type, count, valueOffset });
  }
  return entries;
}

function readNumbers(view: DataView, entry: Entry, littleEndian: boolean): number[] {
  const values: number[] = new Array<number>(entry.count);
  const size = FIELD_TYPE_SIZE[entry.type];
  for (let index = 0; index < entry.count; index++) {
    const at = entry.valueOffset + index * size;
    switch (entry.type) {
      case FieldType.byte: case FieldType.undefined: values[index] = view.getUint8(at); break;
      case FieldType.sbyte: values[index] = view.getInt8(at); break;
      case FieldType.short: values[index] = view.getUint16(at, littleEndian); break;
      case FieldType.sshort: values[index] = view.getInt16(at, littleEndian); break;
      case FieldType.long: values[index] = view.getUint32(at, littleEndian); break;
      case FieldType.slong: values[index] = view.getInt32(at, littleEndian); break;
      case FieldType.long8: case FieldType.ifd8: values[index] = Number(view.getBigUint64(at, littleEndian)); break;
      case FieldType.slong8: values[index] = Number(view.getBigInt64(at, littleEndian)); break;
      case FieldType.float: values[index] = view.getFloat32(at, littleEndian); break;
      case FieldType.double: values[index] = view.getFloat64(at, littleEndian); break;
      case FieldType.rational: values[index] = view.getUint32(at, littleEndian) / view.getUint32(at + 4, littleEndian); break;
      case FieldType.srational: values[index] = view.getInt32(at, littleEndian) / view.getInt32(at + 4, littleEndian); break;
      default: throw new TiffFormatError(`tag has non-numeric field type ${entry.type}`);
    }
  }
  return values;
}

function readAscii(bytes: Uint8Array, entry: Entry): string {
  let end = entry.valueOffset + entry.count;
  while (end > entry.valueOffset && bytes[end - 1] === 0) end--;
  return Buffer.from(bytes.buffer, bytes.byteOffset + entry.valueOffset, end - entry.valueOffset).toString('utf8');
}

/** Parses the header and the first IFD. Throws TiffFormatError on any inconsistency. */
export function parseTiffLayout(bytes: Uint8Array): TiffLayout {
  if (bytes.byteLength < 16) throw new TiffFormatError(`file is ${bytes.byteLength} bytes, too short for a TIFF header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const order = view.getUint16(0, false);
  if (order !== 0x4949 && order !== 0x4d4d) throw new TiffFormatError('no TIFF byte-order mark (II or MM)');
  const littleEndian = order === 0x4949;
  const magic = view.getUint16(2, littleEndian);
  if (magic !== 42 && magic !== 43) throw new TiffFormatError(`bad TIFF magic number ${magic}`);
  const bigTiff = magic === 43;
  const entries = readEntries(view, littleEndian, bigTiff);

  const numbers = (tag: number): number[] | undefined => {
    const entry = entries.get(tag);
    return entry === undefined ? undefined : readNumbers(view, entry, littleEndian);
  };
  const single = (tag: number, fallback?: number): number => {
    const values = numbers(tag);
    if (values !== undefined && values.length > 0) return values[0];
    if (fallback === undefined) throw new TiffFormatError(`required tag ${tag} is missing`);
    return fallback;
  };

  const width = single(Tag.imageWidth);
  const height = single(Tag.imageLength);
  const samplesPerPixel = single(Tag.samplesPerPixel, 1);
  if (width < 1 || height < 1 || samplesPerPixel < 1) throw new TiffFormatError(`empty image (${width}x${height}, ${samplesPerPixel} samples)`);
  const perSample = (tag: number, fallback: number): number[] => {
    const values = numbers(tag) ?? [fallback];
    return Array.from({ length: samplesPerPixel }, (_, index) => values[Math.min(index, values.length - 1)]);
  };
  const bitsPerSample = perSample(Tag.bitsPerSample, 1);
  const sampleFormat = perSample(Tag.sampleFormat, 1);
  const uniform = bitsPerSample.every((bits) => bits === bitsPerSample[0]) && sampleFormat.every((format) => format === sampleFormat[0]);
  const sampleType = uniform ? sampleTypeOf(sampleFormat[0], bitsPerSample[0]) : undefined;

  const planarValue = samplesPerPixel === 1 ? PlanarConfiguration.pixelInterleaved : single(Tag.planarConfiguration, 1);
  if (planarValue !== 1 && planarValue !== 2) throw new TiffFormatError(`bad PlanarConfiguration ${planarValue}`);
  const planar = planarValue;

  const tiled = entries.has(Tag.tileOffsets);
  const chunkWidth = tiled ? single(Tag.tileWidth) : width;
  const chunkHeight = tiled ? single(Tag.tileLength) : Math.min(single(Tag.rowsPerStrip, height), height);
  if (chunkWidth < 1 || chunkHeight < 1) throw new TiffFormatError(`bad ${tiled ? 'tile' : 'strip'} size ${chunkWidth}x${chunkHeight}`);
  const chunksAcross = Math.ceil(width / chunkWidth);
  const chunksDown = Math.ceil(height / chunkHeight);
  const offsets = numbers(tiled ? Tag.tileOffsets : Tag.stripOffsets);
  const byteCounts = numbers(tiled ? Tag.tileByteCounts : Tag.stripByteCounts);
  if (offsets === undefined) throw new TiffFormatError('no strip or tile offsets');
  if (byteCounts === undefined) throw new TiffFormatError('no strip or tile byte counts');
  const expectedChunks = chunksAcross * chunksDown * (planar === 2 ? samplesPerPixel : 1);
  if (offsets.length < expectedChunks || byteCounts.length < expectedChunks) {
    throw new TiffFormatError(`${Math.min(offsets.length, byteCounts.length)} ${tiled ? 'tiles' : 'strips'} listed, ${expectedChunks} expected`);
  }
  for (let index = 0; index < expectedChunks; index++) {
    if (offsets[index] + byteCounts[index] > bytes.byteLength) {
      throw new TiffFormatError(`${tiled ? 'tile' : 'strip'} ${index} ends at byte ${offsets[index] + byteCounts[index]} but the file has ${bytes.byteLength} (truncated?)`);
    }
  }

  const metadataEntry = entries.get(Tag.gdalMetadata);
  return {
    littleEndian,
    bigTiff,
    width,
    height,
    samplesPerPixel,
    bitsPerSample,
    sampleFormat,
    sampleType,
    compression: single(Tag.compression, 1),
    predictor: single(Tag.predictor, 1),
    planar,
    tiled,
    chunkWidth,
    chunkHeight,
    chunksAcross,
    chunksDown,
    offsets: offsets.slice(0, expectedChunks),
    byteCounts: byteCounts.slice(0, expectedChunks),
    gdalMetadata: metadataEntry === undefined ? undefined : readAscii(bytes, metadataEntry),
  };
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
    return XML_ENTITIES[name] ?? whole;
  });
}

/**
 * Band descriptions from GDAL's metadata XML:
 * `<Item name="DESCRIPTION" sample="0" role="description">B02</Item>`.
 * Returns one entry per sample, null where the file names none.
 */
export function gdalBandDescriptions(xml: string | undefined, samples: number): (string | null)[] {
  const descriptions: (string | null)[] = new Array<string | null>(samples).fill(null);
  if (xml === undefined) return descriptions;
  for (const match of xml.matchAll(/<Item\b([^>]*)>([\s\S]*?)<\/Item>/g)) {
    const attributes = new Map<string, string>();
    for (const attribute of match[1].matchAll(/(\w+)\s*=\s*"([^"]*)"/g)) attributes.set(attribute[1], decodeXmlText(attribute[2]));
    const sample = Number(attributes.get('sample'));
    const isDescription = attributes.get('role') === 'description' || attributes.get('name') === 'DESCRIPTION';
    if (isDescription && Number.isInteger(sample) && sample >= 0 && sample < samples) {
      // GDAL escapes descriptions twice when it writes them, so it unescapes twice.
      descriptions[sample] = decodeXmlText(decodeXmlText(match[2])).trim();
    }
  }
  return descriptions;
}
