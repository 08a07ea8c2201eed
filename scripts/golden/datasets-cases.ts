/**
 * Deterministic inputs shared by the datasets golden script and the datasets tests:
 * TIFF writer cases (every sample type, interleave, chunking and compression) and a
 * tiny benchmark tree in each reference layout, all written with our TIFF writer
 * from a seeded generator. The golden script runs the reference readers and
 * transforms (tifffile, rasterio/GDAL, torchvision) on exactly these files; the
 * tests regenerate them and check their sha256 against the golden manifest first.
 *
 *   node --import tsx scripts/golden/datasets-cases.ts writer <folder>
 *   node --import tsx scripts/golden/datasets-cases.ts trees <folder>
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encodeTiff, type TiffWriteOptions } from '../../datasets/tiff/writer.ts';
import { L1C_BANDS, L2A_BANDS } from '../../datasets/sentinel2.ts';
import { SAMPLE_TYPES, type SampleType } from '../../datasets/tiff/tags.ts';

/** mulberry32: small, seedable, identical everywhere. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Smooth field plus noise, like a reflectance band: values in [low, high]. */
export function band(seed: number, width: number, height: number, low: number, high: number): number[] {
  const next = random(seed);
  const [fx, fy, phase] = [next() * 0.5, next() * 0.5, next() * 6];
  return Array.from({ length: width * height }, (_, index) => {
    const x = index % width;
    const y = Math.floor(index / width);
    const smooth = 0.5 + 0.35 * Math.sin(fx * x + fy * y + phase);
    const value = low + (high - low) * Math.min(1, Math.max(0, smooth + 0.15 * (next() - 0.5)));
    return Math.round(value);
  });
}

export interface WriterCase {
  name: string;
  width: number;
  height: number;
  bands: number;
  options: TiffWriteOptions;
}

const RANGES: Record<SampleType, [number, number]> = {
  uint8: [0, 255], int16: [-2000, 12000], uint16: [0, 60000], int32: [-100000, 3000000], float32: [-500, 9000],
};

export function writerCases(): WriterCase[] {
  const cases: WriterCase[] = [];
  for (const sampleType of ['int16', 'uint16', 'uint8', 'float32', 'int32'] as const) {
    for (const interleave of ['pixel', 'band'] as const) {
      for (const chunking of ['strip', 'tile'] as const) {
        for (const compression of ['none', 'deflate', 'lzw'] as const) {
          cases.push({
            name: `${sampleType}-${interleave}-${chunking}-${compression}`,
            width: 37,
            height: 29,
            bands: interleave === 'pixel' ? 4 : 3,
            options: {
              sampleType,
              interleave,
              compression,
              ...(chunking === 'tile' ? { tile: { width: 16, height: 32 } } : { rowsPerStrip: 7 }),
              ...(sampleType === 'int16' ? { descriptions: interleave === 'pixel' ? ['B02', 'B03', 'B04', 'B8A'] : ['B04', 'B&<03>', 'B02'] } : {}),
              ...(sampleType === 'uint16' ? { geo: { epsg: 32633, originX: 500000, originY: 5600000, pixelSize: 10 } } : {}),
            },
          });
        }
      }
    }
  }
  // LZW across table resets and width changes: a big, noisy single band.
  cases.push({ name: 'uint16-lzw-large', width: 256, height: 200, bands: 1, options: { sampleType: 'uint16', compression: 'lzw', rowsPerStrip: 200 } });
  return cases;
}

export function writerCaseData(entry: WriterCase, seedBase = 1000): number[][] {
  const [low, high] = RANGES[entry.options.sampleType];
  return Array.from({ length: entry.bands }, (_, index) => {
    if (entry.name.endsWith('large')) {
      const next = random(seedBase + index);
      return Array.from({ length: entry.width * entry.height }, () => Math.floor(next() * 65536));
    }
    return band(seedBase + index * 17 + entry.name.length, entry.width, entry.height, low, high);
  });
}

export function encodeWriterCase(entry: WriterCase): Uint8Array {
  return encodeTiff({ width: entry.width, height: entry.height, data: writerCaseData(entry) }, entry.options);
}

async function put(file: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

/** Writes each writer case as <name>.tif plus <name>.bin (planar samples, little-endian) and cases.json. */
export async function writeWriterCases(folder: string): Promise<void> {
  const cases = writerCases();
  for (const entry of cases) {
    await put(join(folder, `${entry.name}.tif`), encodeWriterCase(entry));
    const info = SAMPLE_TYPES[entry.options.sampleType];
    const planar = info.create(entry.width * entry.height * entry.bands);
    writerCaseData(entry).forEach((values, index) => planar.set(values, index * entry.width * entry.height));
    await put(join(folder, `${entry.name}.bin`), new Uint8Array(planar.buffer));
  }
  await put(join(folder, 'cases.json'), JSON.stringify(cases.map((entry) => ({ ...entry })), null, 1));
}

export interface TreeImage {
  path: string;
  width: number;
  height: number;
  bands: readonly string[];
  range: [number, number];
  options: TiffWriteOptions;
}

/** The tiny benchmark tree: names chosen to exercise sorting, nesting and layouts. */
export function treeImages(): TreeImage[] {
  const l1c = (path: string, width: number, height: number, options: Partial<TiffWriteOptions> = {}): TreeImage =>
    ({ path: `EuroSAT_MS/${path}`, width, height, bands: L1C_BANDS, range: [-300, 9000], options: { sampleType: 'int16', ...options } });
  const l2a = (path: string, width: number, height: number, options: Partial<TiffWriteOptions> = {}): TreeImage =>
    ({ path: `METERML_MS/${path}`, width, height, bands: L2A_BANDS, range: [0, 5000], options: { sampleType: 'uint16', ...options } });
  const images: TreeImage[] = [
    l1c('AnnualCrop/b.tif', 64, 64),
    l1c('AnnualCrop/B_2.tif', 16, 16, { interleave: 'band' }),
    l1c('AnnualCrop/a.TIF', 20, 20, { compression: 'deflate' }),
    l1c('Forest/img.tif', 24, 20, { sampleType: 'uint16', interleave: 'band', compression: 'deflate' }),
    l1c('Forest/sub/x.tif', 18, 18, { tile: { width: 16, height: 16 }, compression: 'deflate' }), // tifffile reads LZW only with imagecodecs
    // os.walk sorted by path: "sub" < "sub-b" < "sub/deeper" ('-' sorts before '/').
    l1c('Forest/sub/deeper/w.tif', 16, 16),
    l1c('Forest/sub-b/y.tif', 16, 16),
    l1c('Forest-old/a.tif', 16, 16),
    l1c('Sea_Lake/e.tif', 16, 16),
    l1c('Sea_Lake/z.tif', 16, 16),
    l1c('Sea_Lake/\u00e9.tif', 16, 16),
    l1c('river/1.tif', 17, 23, { descriptions: [...L1C_BANDS] }),
  ];
  const meterFolders = ['CAFOs', 'Landfills', 'Mines', 'Negative', 'ProcessingPlants', 'RefineriesAndTerminals', 'WWTreatment'];
  meterFolders.forEach((folder, index) => {
    images.push(l2a(`${folder}/${index === 0 ? 'tile_0' : 'tile'}.tif`, index === 0 ? 72 : 20, index === 0 ? 72 : 20, index === 3 ? { interleave: 'band' } : {}));
  });
  images.push(l2a('CAFOs/tile_1.tif', 20, 20, { tile: { width: 16, height: 16 }, compression: 'deflate' }));
  for (const [index, patch] of BIGEARTHNET_PATCHES.entries()) {
    for (const name of L2A_BANDS) {
      const size = { 10: 120, 20: 60, 60: 20 }[BAND_GSD[name]];
      images.push({
        path: `BigEarthNet/sentinel-2/${patch}/${patch}_${name}.tif`,
        width: size,
        height: size,
        bands: [name],
        range: [0, 4000],
        options: { sampleType: 'uint16', ...(index === 1 ? { compression: 'deflate', tile: { width: 32, height: 32 } } : {}) },
      });
    }
  }
  return images;
}

const BAND_GSD: Record<string, 10 | 20 | 60> = {
  B01: 60, B02: 10, B03: 10, B04: 10, B05: 20, B06: 20, B07: 20, B08: 10, B8A: 20, B09: 60, B11: 20, B12: 20,
};

export const BIGEARTHNET_PATCHES = ['S2B_MSIL2A_20180421T100029_21_77', 'S2A_MSIL2A_20170613T101031_0_45', 'S2A_MSIL2A_20171221T112501_64_29'];

const BIGEARTHNET_LABELS: Record<string, string[]> = {
  S2B_MSIL2A_20180421T100029_21_77: ['Continuous urban fabric', 'Discontinuous urban fabric', 'Sea and ocean', 'Rice fields'],
  S2A_MSIL2A_20170613T101031_0_45: ['Road and rail networks and associated land', 'Bare rock'],
  S2A_MSIL2A_20171221T112501_64_29: ['Mixed forest', 'Transitional woodland/shrub', 'Sparsely vegetated areas', 'Natural grassland'],
};

/** Writes the three datasets under `root` (EuroSAT_MS, METERML_MS, BigEarthNet). */
export async function writeTrees(root: string): Promise<void> {
  for (const [index, image] of treeImages().entries()) {
    const data = image.bands.map((_, bandIndex) => band(7 + index * 101 + bandIndex * 7, image.width, image.height, image.range[0], image.range[1]));
    await put(join(root, image.path), encodeTiff({ width: image.width, height: image.height, data }, image.options));
  }
  await put(join(root, 'EuroSAT_MS/AnnualCrop/notes.txt'), 'not an image\n');
  const bigearthnet = join(root, 'BigEarthNet');
  // Test split in a deliberately unsorted order; train/val only so the reference starts.
  await put(join(bigearthnet, 'bigearthnet-test.csv'), BIGEARTHNET_PATCHES.map((patch) => `${patch},S1_${patch}`).join('\n') + '\n');
  await put(join(bigearthnet, 'bigearthnet-train.csv'), `${BIGEARTHNET_PATCHES[0]},S1\n`);
  await put(join(bigearthnet, 'bigearthnet-val.csv'), `${BIGEARTHNET_PATCHES[1]},S1\n`);
  for (const patch of BIGEARTHNET_PATCHES) {
    const labels = { labels: BIGEARTHNET_LABELS[patch], coordinates: {}, projection: '', tile_source: '', acquisition_date: '' };
    await put(join(bigearthnet, 'sentinel-2', patch, `${patch}_labels_metadata.json`), JSON.stringify(labels));
  }
}

if (process.argv[1]?.endsWith('datasets-cases.ts')) {
  const [command, folder] = process.argv.slice(2);
  if (command === 'writer' && folder) await writeWriterCases(folder);
  else if (command === 'trees' && folder) await writeTrees(folder);
  else {
    console.error('usage: datasets-cases.ts writer|trees <folder>');
    process.exit(2);
  }
}
