/**
 * User images for `classify` and `retrieve`, the way users have them: a folder, a
 * list file (.txt one path per line, or .yaml with `images:`), or explicit paths; each
 * image a GeoTIFF (12-band L2A, 13-band L1C, 10 bands in the model's order, or bands
 * named by GDAL descriptions), a NumPy .npy array (bands first or last), or, for RGB
 * models, a PNG/JPEG.
 *
 * Preparing one image for a model:
 *  1. decode (GeoTIFF, .npy, PNG/JPEG) into planar bands;
 *  2. name the bands (descriptions, else the band count) and select the model's;
 *  3. resize as the reference's inference does (shorter side to the model size,
 *     antialiased bicubic, centre crop) and normalise with the manifest's statistics.
 *
 * Differences from the reference, all where it is wrong: band-last 10-band tiles and
 * band-first arrays are read correctly (it garbles them), float32 throughout (it
 * autocasts to bf16), and folders are read in sorted order (it uses os.listdir order).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { sortCodePoints } from '../datasets/image-folder.ts';
import { readGeoTiff } from '../datasets/tiff/geotiff.ts';
import { missingOfSpec, preprocessRaw, type PreprocessPlan } from './prepare.ts';
import { L1C_BANDS, L2A_BANDS, canonicalBandName, sentinelBands } from '../datasets/sentinel2.ts';
import type { RawImage } from '../datasets/types.ts';
import type { PreprocessSpec } from './spec.ts';
import { ErrorCode, UserError, shownPath } from '../core/errors.ts';
import { checkImagePixels, decodeJpeg, decodePng, preparePicture, type Picture } from './pictures.ts';
import type { ReadOptions } from '../datasets/module.ts';
import { decodeNpy } from '../core/npy.ts';

export const TIFF_EXTENSIONS = ['.tif', '.tiff'] as const;
export const PICTURE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;
export const IMAGE_EXTENSIONS = [...TIFF_EXTENSIONS, '.npy', ...PICTURE_EXTENSIONS] as const;

export interface ImageEntry {
  /** Absolute path. */
  path: string;
  /** Shown in tables and outputs: the file name (folders) or the path as listed. */
  name: string;
}

export interface ImageListing {
  images: ImageEntry[];
  /** Files of a folder that are not images, with why (reported as a note). */
  skipped: { file: string; reason: string }[];
}

const extensionOf = (path: string): string => extname(path).toLowerCase();
const isImageFile = (path: string): boolean => (IMAGE_EXTENSIONS as readonly string[]).includes(extensionOf(path));
const IMAGE_KINDS = IMAGE_EXTENSIONS.join(', ');

async function kindOf(path: string): Promise<'file' | 'folder' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

async function listFolder(folder: string): Promise<ImageListing> {
  const images: ImageEntry[] = [];
  const skipped: ImageListing['skipped'] = [];
  for (const name of sortCodePoints(await readdir(folder))) {
    if (name.startsWith('.')) continue; // hidden files (.DS_Store, editor swap files) are never images
    const path = join(folder, name);
    if ((await kindOf(path)) === 'folder') skipped.push({ file: path, reason: 'a folder (folders are not searched recursively)' });
    else if (!isImageFile(name)) skipped.push({ file: path, reason: `not an image file (${IMAGE_KINDS})` });
    else images.push({ path, name });
  }
  if (images.length === 0) {
    const note = skipped.length > 0 ? ` (${skipped.length} other file(s) skipped)` : '';
    throw new UserError(ErrorCode.imageInvalid, `${shownPath(folder)}: no images found${note}; expected files ending in ${IMAGE_KINDS}`, folder);
  }
  return { images, skipped };
}

/** Entries of a .txt (one path per line, `#` comments) or .yaml (`images:` list, as the reference) list. */
async function readListFile(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  if (extensionOf(file) === '.txt') return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: not valid YAML (${(error as Error).message.split('\n')[0]})`, file);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { images?: unknown } | null)?.images;
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
    throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: expected a list of image paths under "images:"`, file);
  }
  return list.map((entry: string) => entry.trim()).filter((entry) => entry !== '');
}

/** Explicitly listed images must exist and be images: a typo is an error, not a skip. */
async function checkListed(paths: readonly { path: string; name: string }[], source: string): Promise<ImageEntry[]> {
  if (paths.length === 0) throw new UserError(ErrorCode.imageInvalid, `${shownPath(source)}: the image list is empty`, source);
  for (const entry of paths) {
    const kind = await kindOf(entry.path);
    const where = source === entry.name ? '' : ` (listed in ${source}; relative paths are relative to the list's folder)`;
    if (kind === 'missing') throw new UserError(ErrorCode.imageInvalid, `${shownPath(entry.path)}: no such file${where}`, entry.path);
    if (kind === 'folder') throw new UserError(ErrorCode.imageInvalid, `${shownPath(entry.path)}: is a folder; list image files, or pass the folder itself as --images`, entry.path);
    if (!isImageFile(entry.path)) throw new UserError(ErrorCode.imageInvalid, `${shownPath(entry.path)}: not an image file (${IMAGE_KINDS})${where}`, entry.path);
  }
  return [...paths];
}

/**
 * The images of `input`: a folder (sorted by code point, like Python; non-images
 * skipped), a .txt/.yaml list (in its order), a single image, or a list of paths.
 */
export async function listImages(input: string | readonly string[]): Promise<ImageListing> {
  if (typeof input !== 'string') {
    return { images: await checkListed(input.map((path) => ({ path: resolve(path), name: path })), 'the image list'), skipped: [] };
  }
  const path = resolve(input);
  const kind = await kindOf(path);
  if (kind === 'missing') throw new UserError(ErrorCode.imageInvalid, `--images ${input}: no such file or folder`, input);
  if (kind === 'folder') return listFolder(path);
  const extension = extensionOf(path);
  if (extension === '.txt' || extension === '.yaml' || extension === '.yml') {
    const base = dirname(path);
    const entries = (await readListFile(path)).map((entry) => ({ path: isAbsolute(entry) ? entry : resolve(base, entry), name: entry }));
    return { images: await checkListed(entries, input), skipped: [] };
  }
  if (isImageFile(path)) return { images: [{ path, name: input }], skipped: [] };
  throw new UserError(ErrorCode.imageInvalid, `--images ${input}: expected a folder, a .txt/.yaml list or an image (${IMAGE_KINDS})`, input);
}

/** Band orders a file may hold when it does not name its bands, by band count. */
function bandsByCount(spec: PreprocessSpec): Map<number, readonly string[]> {
  const orders = new Map<number, readonly string[]>([[13, L1C_BANDS], [12, L2A_BANDS]]);
  // A file with as many bands as a multispectral model reads holds them in its order.
  if (spec.kind === 'multispectral') orders.set(spec.bands.length, spec.bands);
  return orders;
}

function describeCounts(spec: PreprocessSpec): string {
  const model = spec.kind === 'multispectral' ? `, ${spec.bands.length} (the model's bands in order: ${spec.bands.join(' ')})` : '';
  return `13 (L1C), 12 (L2A)${model}`;
}

/**
 * Names the bands of a decoded file: by GDAL band descriptions when they name
 * Sentinel-2 bands, else by the band count (13 = L1C, 12 = L2A, the model's count =
 * the model's order). Anything else is a one-line error naming the file.
 */
export function nameInputBands(file: string, bandCount: number, descriptions: readonly (string | null)[], spec: PreprocessSpec): string[] {
  const wanted = sentinelBands(spec.bands);
  const described = descriptions.map((text) => (text === null ? undefined : canonicalBandName(text)));
  if (described.some((name) => name !== undefined)) {
    const named = described.filter((name): name is NonNullable<typeof name> => name !== undefined);
    const duplicate = named.find((name, index) => named.indexOf(name) !== index);
    if (duplicate) throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: band descriptions name ${duplicate} twice`, file);
    const missing = wanted.filter((name) => !named.includes(name as (typeof named)[number]));
    if (missing.length > 0) {
      throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: band descriptions name ${named.join(' ')}; the model needs ${wanted.join(' ')} (missing ${missing.join(' ')})`, file);
    }
    return described.map((name, index) => name ?? `band ${index + 1}`);
  }
  const order = bandsByCount(spec).get(bandCount);
  if (!order) {
    throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: has ${bandCount} band${bandCount === 1 ? '' : 's'}; expected ${describeCounts(spec)}, or GDAL band descriptions naming the bands`, file);
  }
  return [...order];
}

type PlanarData = RawImage['data'][number];

/** A .npy array as planar bands; the band axis is whichever of first/last matches a known band count. */
export function npyToBands(file: string, bytes: Uint8Array, knownCounts: readonly number[]): { width: number; height: number; data: PlanarData[] } {
  const array = decodeNpy(bytes, file);
  let shape = array.shape;
  if (shape.length === 2) shape = [1, ...shape];
  if (shape.length !== 3) throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: array of shape (${array.shape.join(', ')}); expected (bands, height, width) or (height, width, bands)`, file);
  const first = knownCounts.includes(shape[0]);
  const last = knownCounts.includes(shape[2]);
  const counts = knownCounts.join(', ');
  if (array.descr === '|b1') throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: boolean arrays are not images`, file);
  if (first === last) {
    const why = first ? 'both the first and the last axis could be bands' : `neither the first nor the last axis has ${counts} entries`;
    throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: array of shape (${array.shape.join(', ')}) is ambiguous: ${why}; save it as (bands, height, width) with ${counts} bands`, file);
  }
  const [bands, height, width] = first ? shape : [shape[2], shape[0], shape[1]];
  const plane = height * width;
  const source = array.data;
  // Float64 and int64 become float32, as the reference's astype(np.float32) does.
  const make = (): PlanarData => (source instanceof Float64Array || source instanceof BigInt64Array ? new Float32Array(plane)
    : new (source.constructor as new (length: number) => PlanarData)(plane));
  const data: PlanarData[] = [];
  for (let band = 0; band < bands; band++) {
    const out = make();
    for (let pixel = 0; pixel < plane; pixel++) {
      const index = first ? band * plane + pixel : pixel * bands + band;
      out[pixel] = Number(source[index]);
    }
    data.push(out);
  }
  return { width, height, data };
}

/** The RGB picture inside a 3-band uint8 GeoTIFF or array (an RGB export), or undefined. */
function asPicture(width: number, height: number, data: readonly PlanarData[]): Picture | undefined {
  if (data.length !== 3 || !data.every((band) => band instanceof Uint8Array)) return undefined;
  const rgba = new Uint8Array(width * height * 4);
  for (let pixel = 0; pixel < width * height; pixel++) {
    rgba[pixel * 4] = data[0][pixel];
    rgba[pixel * 4 + 1] = data[1][pixel];
    rgba[pixel * 4 + 2] = data[2][pixel];
    rgba[pixel * 4 + 3] = 255;
  }
  return { width, height, data: rgba, mode: 'RGB' };
}

/**
 * Reads, band-selects, resizes and normalises one image into `out` at `offset`
 * ([bands, size, size] float32). Every problem is a UserError naming the file.
 */
export async function prepareInputImage(file: string, spec: PreprocessSpec, out: Float32Array, offset = 0, read: Pick<ReadOptions, 'maxImagePixels'> = {}): Promise<void> {
  const maxPixels = read.maxImagePixels;
  const extension = extensionOf(file);
  const rgbModel = spec.kind === 'rgb';
  if ((PICTURE_EXTENSIONS as readonly string[]).includes(extension)) {
    if (!rgbModel) {
      throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: PNG/JPEG images hold RGB only; this model reads ${spec.bands.length} Sentinel-2 bands (${spec.bands.join(' ')}): use GeoTIFF or .npy`, file);
    }
    const bytes = await readBytes(file);
    preparePicture(extension === '.png' ? decodePng(bytes, file, maxPixels) : decodeJpeg(bytes, file, maxPixels), spec, out, offset);
    return;
  }
  let decoded: { width: number; height: number; data: PlanarData[]; descriptions: (string | null)[] };
  if (extension === '.npy') {
    const counts = [...new Set([13, 12, ...(rgbModel ? [3] : [spec.bands.length])])];
    decoded = { ...npyToBands(file, await readBytes(file), counts), descriptions: [] };
    checkImagePixels(file, decoded.width, decoded.height, maxPixels);
  } else {
    const raster = await readGeoTiff(file, { maxPixels });
    decoded = { width: raster.width, height: raster.height, data: raster.data, descriptions: raster.descriptions };
  }
  if (rgbModel) {
    const picture = asPicture(decoded.width, decoded.height, decoded.data);
    if (picture && !decoded.descriptions.some((text) => text !== null && canonicalBandName(text))) {
      preparePicture(picture, spec, out, offset);
      return;
    }
    if (decoded.data.length === 3) {
      throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: 3 bands that are not uint8 RGB; for Sentinel-2 reflectances add GDAL band descriptions (B04 B03 B02) or keep all 12/13 bands`, file);
    }
  }
  const names = nameInputBands(file, decoded.data.length, decoded.descriptions.length === decoded.data.length ? decoded.descriptions : decoded.data.map(() => null), spec);
  preprocessRaw({ width: decoded.width, height: decoded.height, bands: names, data: decoded.data }, inferencePlan(spec), out, offset, file);
}

const PLANS = new WeakMap<PreprocessSpec, PreprocessPlan>();

/**
 * The reference's inference transform for tiles and arrays (msclip/inference/utils.py
 * get_preprocess): float32, Resize(size) of the shorter side, CenterCrop(size),
 * Normalize; RGB models see B04 B03 B02 as the datasets' RGB view (x/2000*255, clipped).
 */
export function inferencePlan(spec: PreprocessSpec): PreprocessPlan {
  let plan = PLANS.get(spec);
  if (!plan) {
    plan = {
      dataset: 'your images',
      kind: spec.kind,
      bands: sentinelBands(spec.bands),
      size: spec.size,
      interpolation: spec.interpolation,
      centerCrop: true,
      mean: Float32Array.from(spec.mean),
      std: Float32Array.from(spec.std),
      rgbOverflow: spec.referenceRgbWrap === true ? 'wrap' : 'clip',
      missing: missingOfSpec(spec),
    };
    PLANS.set(spec, plan);
  }
  return plan;
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: cannot read the file (${code ?? String(error)})`, file);
  }
}
