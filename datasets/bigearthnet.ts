/**
 * BigEarthNet_MS: BigEarthNet-S2 v1.0 in the reference's layout,
 *
 *   <dataset-dir>/BigEarthNet/bigearthnet-test.csv          patch names, first column, no header
 *   <dataset-dir>/BigEarthNet/sentinel-2/<patch>/<patch>_B01.tif ... _B12.tif   one band per file
 *   <dataset-dir>/BigEarthNet/sentinel-2/<patch>/<patch>_labels_metadata.json  {"labels": [43-class names]}
 *
 * Multi-label, 19 classes (43 -> 19 as in the reference). Items come in csv order.
 * `read` does what the reference's loader does with rasterio: every band resampled
 * by GDAL-style bilinear to 120x120 and rounded to int32 (10 m bands are already
 * 120x120, 20 m ones 60x60, 60 m ones 20x20).
 *
 * Unlike the reference we need only the test csv (it also insists on the train and
 * val csvs, which it never reads; few-shot probes train on the train csv's patches,
 * listed on demand), we find bands by their file-name suffix instead
 * of by sorted position, and a patch with a missing band or labels file is an error
 * naming it at listing time instead of a crash half-way through.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, UserError, quoted, shownPath, visible } from '../core/errors.ts';
import { BIGEARTHNET_19_CLASSES, labels19 } from './bigearthnet-labels.ts';
import { readGeoTiff } from './tiff/geotiff.ts';
import { isDirectory } from './image-folder.ts';
import type { DatasetModule, ReadOptions } from './module.ts';
import { gdalBilinearToInt32 } from './bigearthnet-resample.ts';
import { L2A_BANDS, canonicalBandName } from './sentinel2.ts';
import { bigEarthNetSplitFile, type DatasetSplits, type ListedSplitImages, parseSplitCsv, readBigEarthNetSplits, type SplitEntry } from './splits.ts';
import type { DatasetItem, DatasetListing, ListOptions, RawImage } from './types.ts';

export const BIGEARTHNET_SPLIT_FILE = 'bigearthnet-test.csv';
export const BIGEARTHNET_IMAGE_FOLDER = 'sentinel-2';
/** rasterio's out_shape in the reference loader. */
export const BIGEARTHNET_GRID = { width: 120, height: 120 } as const;

const LAYOUT = '<dataset-dir>/BigEarthNet/{bigearthnet-test.csv, sentinel-2/<patch>/<patch>_Bxx.tif, sentinel-2/<patch>/<patch>_labels_metadata.json}';
/** Patches listed concurrently: enough to hide file-system latency, few enough for open-file limits. */
const BATCH = 128;

/** The band a BigEarthNet file holds, from its name: "<patch>_B8A.tif" -> "B8A". */
export function bandOfFile(file: string): string | undefined {
  const match = /_([^_/\\]+)\.tiff?$/i.exec(file);
  return match === null ? undefined : canonicalBandName(match[1]);
}

/** Patch names from a split csv (first column, blank lines ignored), with their line numbers: splits.ts. */
export { parseSplitCsv };

type PatchResult = { item: DatasetItem } | { file: string; reason: string; message: string };

async function readPatch(imageRoot: string, csv: string, name: string, line: number): Promise<PatchResult> {
  const folder = join(imageRoot, name);
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch {
    return { file: folder, reason: 'patch folder missing', message: `${csv}:${line}: patch "${name}" has no folder ${folder}` };
  }
  const byBand = new Map<string, string>();
  for (const entry of entries) {
    const band = bandOfFile(entry);
    if (band === undefined) continue;
    if (byBand.has(band)) {
      return { file: folder, reason: `two files for band ${band}`, message: `${shownPath(folder)}: two files for band ${band} (${byBand.get(band)}, ${entry}); keep one` };
    }
    byBand.set(band, entry);
  }
  const missing = L2A_BANDS.filter((band) => !byBand.has(band));
  if (missing.length > 0) {
    const files = missing.map((band) => `${name}_${band}.tif`).join(', ');
    return { file: folder, reason: `missing ${missing.join(' ')}`, message: `${shownPath(folder)}: band file${missing.length === 1 ? '' : 's'} ${files} missing; every patch needs the 12 L2A bands ${L2A_BANDS.join(' ')}` };
  }
  const jsons = entries.filter((entry) => entry.toLowerCase().endsWith('.json'));
  const preferred = jsons.filter((entry) => entry.endsWith('_labels_metadata.json'));
  const chosen = preferred.length === 1 ? preferred[0] : jsons.length === 1 ? jsons[0] : undefined;
  if (chosen === undefined) {
    const reason = jsons.length === 0 ? 'labels file missing' : 'several labels files';
    return { file: folder, reason, message: `${shownPath(folder)}: ${jsons.length === 0 ? 'no labels file' : `${jsons.length} json files`}; expected one ${name}_labels_metadata.json with a "labels" list` };
  }
  const labelsFile = join(folder, chosen);
  let names: unknown;
  try {
    // A byte-order mark (Windows editors write one) is not JSON, but not a mistake either.
    const text = (await readFile(labelsFile, 'utf8')).replace(/^\uFEFF/, '');
    names = (JSON.parse(text) as { labels?: unknown }).labels;
  } catch (error) {
    return { file: labelsFile, reason: 'unreadable labels file', message: `${shownPath(labelsFile)}: not valid JSON (${visible((error as Error).message)}); expected {"labels": [...]}` };
  }
  if (!Array.isArray(names) || !names.every((label) => typeof label === 'string')) {
    return { file: labelsFile, reason: 'no "labels" list', message: `${shownPath(labelsFile)}: expected a "labels" list of BigEarthNet-43 class names` };
  }
  const { labels, unknown } = labels19(names);
  if (unknown.length > 0) {
    return { file: labelsFile, reason: `unknown labels ${unknown.map((label) => quoted(label)).join(', ')}`, message: `${shownPath(labelsFile)}: unknown label${unknown.length === 1 ? '' : 's'} ${unknown.map((label) => quoted(label)).join(', ')}; expected BigEarthNet-43 class names (see DATASETS.md)` };
  }
  const files = L2A_BANDS.map((band) => join(folder, byBand.get(band) as string));
  return { item: { id: name, files, labels } };
}

/** The patches of a split csv, in its order (undefined where skipped under skipInvalid). */
async function listPatches(imageRoot: string, csv: string, patches: readonly SplitEntry[], options: ListOptions): Promise<ListedSplitImages> {
  const items: (DatasetItem | undefined)[] = [];
  const skipped: DatasetListing['skipped'] = [];
  for (let start = 0; start < patches.length; start += BATCH) {
    const batch = patches.slice(start, start + BATCH);
    const results = await Promise.all(batch.map(({ name, line }) => readPatch(imageRoot, csv, name, line)));
    for (const result of results) {
      if ('item' in result) {
        items.push(result.item);
      } else if (options.skipInvalid) {
        items.push(undefined);
        skipped.push({ file: result.file, reason: result.reason });
      } else {
        throw new UserError(ErrorCode.datasetInvalid, result.message, result.file);
      }
    }
  }
  return { items, skipped };
}

async function list(root: string, options: ListOptions): Promise<DatasetListing> {
  if (!(await isDirectory(root))) {
    throw new UserError(ErrorCode.datasetMissing, `${shownPath(root)}: dataset folder not found; BigEarthNet_MS is expected as ${LAYOUT} (see DATASETS.md)`, root);
  }
  const csv = join(root, BIGEARTHNET_SPLIT_FILE);
  let text: string;
  try {
    text = await readFile(csv, 'utf8');
  } catch {
    throw new UserError(ErrorCode.datasetMissing, `${shownPath(csv)}: split file not found; BigEarthNet_MS evaluates the patches listed in it (first column: patch name, no header)`, csv);
  }
  const imageRoot = join(root, BIGEARTHNET_IMAGE_FOLDER);
  if (!(await isDirectory(imageRoot))) {
    throw new UserError(ErrorCode.datasetMissing, `${shownPath(imageRoot)}: folder not found; BigEarthNet_MS patches are expected in ${LAYOUT}`, imageRoot);
  }
  const patches = parseSplitCsv(text, csv);
  if (patches.length === 0) throw new UserError(ErrorCode.datasetInvalid, `${shownPath(csv)}: lists no patches; expected one patch name per line`, csv);
  const listed = await listPatches(imageRoot, csv, patches, options);
  const items = listed.items.filter((item): item is DatasetItem => item !== undefined);
  const skipped = listed.skipped;
  return { dataset: 'BigEarthNet_MS', task: 'multi-label', root, classes: [...BIGEARTHNET_19_CLASSES], items, skipped, demo: false };
}

/**
 * The split csvs as pools: `test` is the listing itself (the test csv); `train` and
 * `val` (269,695 and 123,723 patches in BigEarthNet-S2 v1.0) are listed on demand, only
 * the patches a task asks for. A patch in two csvs is an error naming both lines.
 */
async function splits(root: string, listing: DatasetListing): Promise<DatasetSplits> {
  const files = await readBigEarthNetSplits(root);
  const imageRoot = join(root, BIGEARTHNET_IMAGE_FOLDER);
  const pools: DatasetSplits = {
    test: { file: bigEarthNetSplitFile(root, 'test'), size: listing.items.length, indices: Int32Array.from(listing.items.keys()) },
  };
  const owner = new Map<string, SplitEntry>((files.test ?? []).map((entry) => [entry.name, entry]));
  for (const split of ['train', 'val'] as const) {
    const entries = files[split];
    if (entries === undefined) continue;
    for (const entry of entries) {
      const other = owner.get(entry.name);
      if (other !== undefined) throw new UserError(ErrorCode.datasetInvalid, `${entry.file}:${entry.line}: patch "${entry.name}" is also in ${other.file}:${other.line}; a patch belongs to one split only`, entry.file);
      owner.set(entry.name, entry);
    }
    const file = bigEarthNetSplitFile(root, split);
    pools[split] = {
      file,
      size: entries.length,
      list: (positions, options) => listPatches(imageRoot, file, Array.from(positions, (position) => entries[position]), options),
    };
  }
  return pools;
}

async function readBand(file: string, maxPixels: number | undefined): Promise<Int32Array> {
  const raster = await readGeoTiff(file, { maxPixels });
  if (raster.fileBands !== 1) {
    throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: has ${raster.fileBands} bands, expected 1 (BigEarthNet stores one band per file)`, file);
  }
  if (raster.width > BIGEARTHNET_GRID.width || raster.height > BIGEARTHNET_GRID.height) {
    throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: is ${raster.width}x${raster.height}, larger than BigEarthNet's 120x120 grid; expected 120x120, 60x60 or 20x20`, file);
  }
  return gdalBilinearToInt32(raster.data[0], raster.width, raster.height, BIGEARTHNET_GRID.width, BIGEARTHNET_GRID.height);
}

async function read(item: DatasetItem, options: ReadOptions = {}): Promise<RawImage> {
  const byBand = new Map<string, string>();
  for (const file of item.files) {
    const band = bandOfFile(file);
    if (band !== undefined) byBand.set(band, file);
  }
  const bands = options.bands ?? L2A_BANDS;
  const files = bands.map((band) => {
    const file = byBand.get(band);
    if (file === undefined) {
      throw new UserError(ErrorCode.imageInvalid, `${shownPath(item.id)}: no file for band ${band}; BigEarthNet patches hold ${L2A_BANDS.join(' ')}`, item.files[0]);
    }
    return file;
  });
  const data = await Promise.all(files.map((file) => readBand(file, options.maxImagePixels)));
  return { width: BIGEARTHNET_GRID.width, height: BIGEARTHNET_GRID.height, bands: [...bands], data };
}

export const bigearthnet: DatasetModule = {
  name: 'BigEarthNet_MS',
  aliases: ['BigEarthNet', 'BigEarthNetMS', 'BigEarthNet-MS', 'BigEarthNet-S2'],
  rgbAliases: ['BigEarthNet_RGB'],
  task: 'multi-label',
  bands: L2A_BANDS,
  folder: 'BigEarthNet',
  layout: LAYOUT,
  recipe: {
    // The reference's BigEarthNet transforms: Resize(224) (bilinear) for MS, no crop;
    // its RGB path is the METER-ML one (bicubic, centre crop).
    multispectral: { interpolation: 'bilinear', centerCrop: false },
    rgb: { interpolation: 'bicubic', centerCrop: true },
    readStep: { op: 'read-band-files', resampling: 'gdal-bilinear', grid: [BIGEARTHNET_GRID.height, BIGEARTHNET_GRID.width], dtype: 'int32' },
  },
  list,
  splits,
  read,
};
