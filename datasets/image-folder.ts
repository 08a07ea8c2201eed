/**
 * torchvision's ImageFolder, as the reference uses it for EuroSAT_MS and METERML_MS:
 * classes are the sorted sub-folder names of the root; images are every file with
 * an image extension found by walking each class folder (sub-folders included,
 * symlinks followed), walked folders sorted by path, file names sorted within each.
 * Python sorts str by code point, so we do too (not localeCompare, not UTF-16 order).
 *
 * Differences, all for bad input only: an image file that is not a .tif/.tiff is an
 * error (the reference would crash reading it with tifffile); an empty class folder
 * is an error naming it (or, with skipInvalid, listed as skipped and the class kept,
 * so class indices do not move).
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ErrorCode, fileError, quoted } from '../core/errors.ts';
import { readGeoTiff } from './tiff/geotiff.ts';
import type { ReadOptions } from './module.ts';
import { nameBands, selectBands } from './sentinel2.ts';
import type { DatasetItem, DatasetListing, ListOptions, RawImage } from './types.ts';

/** torchvision.datasets.folder.IMG_EXTENSIONS */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'] as const;
const TIFF_EXTENSIONS = ['.tif', '.tiff'];

/**
 * Python's str ordering: by Unicode code point. UTF-16 order (JavaScript's default)
 * differs only where a surrogate pair meets a unit in U+E000..U+FFFF; shifting the
 * units there fixes it without decoding the strings.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.charCodeAt(index);
    const right = b.charCodeAt(index);
    if (left !== right) return codePointRank(left) - codePointRank(right);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

export function sortCodePoints(names: Iterable<string>): string[] {
  return [...names].sort(compareCodePoints);
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory(); // follows symlinks, like os.scandir's is_dir()
  } catch {
    return false;
  }
}

/** A folder's entries; a folder that cannot be listed (permissions) is a one-line error naming it. */
async function readFolder(folder: string): Promise<Dirent[]> {
  try {
    return await readdir(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw fileError(ErrorCode.datasetInvalid, folder, `cannot be listed (${code})`, 'give the user running the benchmark read and execute permission on it, or move it out of the dataset');
  }
}

/** os.walk(top, followlinks=True), sorted as the reference sorts it. */
async function walkSorted(top: string): Promise<string[]> {
  const folders: { path: string; files: string[] }[] = [];
  const visit = async (folder: string, ancestors: ReadonlySet<string>): Promise<void> => {
    const real = await realpath(folder);
    if (ancestors.has(real)) return; // a symlink cycle: os.walk would loop forever
    const lineage = new Set(ancestors).add(real);
    const entries = await readFolder(folder);
    const files: string[] = [];
    for (const entry of entries) {
      const path = join(folder, entry.name);
      // Only symlinks need a stat to know what they point at.
      const directory = entry.isSymbolicLink() ? await isDirectory(path) : entry.isDirectory();
      if (directory) await visit(path, lineage);
      else files.push(entry.name);
    }
    folders.push({ path: folder, files: sortCodePoints(files) });
  };
  await visit(top, new Set());
  folders.sort((a, b) => compareCodePoints(a.path, b.path));
  return folders.flatMap((folder) => folder.files.map((name) => join(folder.path, name)));
}

const hasExtension = (name: string, extensions: readonly string[]): boolean =>
  extensions.some((extension) => name.toLowerCase().endsWith(extension));

export interface ImageFolderOptions extends ListOptions {
  dataset: string;
  /** Prompt class names from the sorted class folder names. */
  classNames(folders: string[], root: string): string[];
  /** The expected layout, for error messages. */
  layout: string;
}

export async function listImageFolder(root: string, options: ImageFolderOptions): Promise<DatasetListing> {
  if (!(await isDirectory(root))) {
    throw fileError(ErrorCode.datasetMissing, root, 'dataset folder not found', `${options.dataset} is expected as ${options.layout} (see DATASETS.md)`);
  }
  const entries = (await readFolder(root)).map((entry) => entry.name);
  const folders: string[] = [];
  for (const name of entries) if (await isDirectory(join(root, name))) folders.push(name);
  const sorted = sortCodePoints(folders);
  if (sorted.length === 0) {
    throw fileError(ErrorCode.datasetInvalid, root, 'no class folders', `${options.dataset} is expected as ${options.layout}`);
  }
  const classes = options.classNames(sorted, root);
  checkDistinctClasses(root, sorted, classes);
  const items: DatasetItem[] = [];
  const skipped: DatasetListing['skipped'] = [];
  const reject = (file: string, reason: string, problem: string, fix: string): void => {
    if (!options.skipInvalid) throw fileError(ErrorCode.datasetInvalid, file, problem, fix);
    skipped.push({ file, reason });
  };
  for (const [label, folder] of sorted.entries()) {
    const classRoot = join(root, folder);
    let found = 0;
    for (const file of await walkSorted(classRoot)) {
      if (!hasExtension(file, IMAGE_EXTENSIONS)) continue;
      found++;
      if (!hasExtension(file, TIFF_EXTENSIONS)) {
        reject(file, 'not a .tif file', 'not a GeoTIFF', `${options.dataset} images must be .tif files (move it out of the dataset folder)`);
        continue;
      }
      items.push({ id: relative(root, file).split(sep).join('/'), files: [file], labels: [label] });
    }
    if (found === 0) {
      reject(classRoot, 'empty class folder', 'class folder has no .tif images', 'remove the folder or add its images');
    }
  }
  return { dataset: options.dataset, task: 'single-label', root, classes, items, skipped, demo: false };
}

/**
 * Two class folders whose prompt names coincide (`BARE SOIL` and `Bare_Soil` both give
 * "bare soil") would share one prompt and one per-class entry in the record: refused.
 */
function checkDistinctClasses(root: string, folders: readonly string[], classes: readonly string[]): void {
  const folderOf = new Map<string, string>();
  classes.forEach((name, index) => {
    const other = folderOf.get(name);
    if (other !== undefined) {
      throw fileError(ErrorCode.datasetInvalid, root, `class folders ${quoted(other)} and ${quoted(folders[index])} both give the class name ${quoted(name)}`, 'rename or merge one of the two folders');
    }
    folderOf.set(name, folders[index]);
  });
}

/** ImageFolder class names as the reference prints them: "_" and "/" as spaces, lower case. */
export function imageFolderClassName(folder: string): string {
  return folder.replace(/_/g, ' ').replace(/\//g, ' ').toLowerCase();
}

/** Reads one multi-band tiff holding exactly `bands` (by position, or by GDAL band descriptions). */
export async function readMultibandTiff(item: DatasetItem, bands: readonly string[], what: string, options: ReadOptions = {}): Promise<RawImage> {
  const file = item.files[0];
  const raster = await readGeoTiff(file, { maxPixels: options.maxImagePixels });
  const named = nameBands(file, raster.fileBands, raster.descriptions, bands, what);
  const image: RawImage = { width: raster.width, height: raster.height, bands: named, data: raster.data };
  return options.bands === undefined ? image : selectBands(image, options.bands, file);
}
