/**
 * Sentinel-2 band names and orders, and selection of bands by name. The reference
 * harness deletes band indices ([0, 9, 10] for 13-band files, [0, 9] for 12-band
 * ones); selecting by name gives the same bands and fails loudly, naming the file,
 * when one is missing. The normalisation statistics live in the bundle manifests.
 */
import { ErrorCode, UserError, shownPath } from '../core/errors.ts';
import type { RawImage } from './types.ts';

/** All 13 bands in product order (L1C). */
export const L1C_BANDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'] as const;
/** L2A drops the cirrus band B10: 12 bands. */
export const L2A_BANDS = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B11', 'B12'] as const;
export type BandName = (typeof L1C_BANDS)[number];

/** The 10 bands Llama3-MS-CLIP reads, in its input order. */
export const MSCLIP_BANDS = ['B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12'] as const;
/** The bands an RGB model sees, red, green, blue. */
export const RGB_SENTINEL_BANDS = ['B04', 'B03', 'B02'] as const;
/** The manifest's names for an RGB model's channels, mapped to bands. */
export const RGB_CHANNELS: Readonly<Record<string, BandName>> = { red: 'B04', green: 'B03', blue: 'B02' };

/** Native ground sampling distance in metres (BigEarthNet stores each band at it). */
export const BAND_RESOLUTION: Readonly<Record<BandName, 10 | 20 | 60>> = {
  B01: 60, B02: 10, B03: 10, B04: 10, B05: 20, B06: 20, B07: 20, B08: 10, B8A: 20, B09: 60, B10: 60, B11: 20, B12: 20,
};

export function isBandName(value: string): value is BandName {
  return (L1C_BANDS as readonly string[]).includes(value);
}

/**
 * The canonical name for common spellings ("B2", "b02", "B8a", "B8A"), or undefined
 * when the text is not a Sentinel-2 band.
 */
export function canonicalBandName(text: string): BandName | undefined {
  const match = /^\s*B0?(\d{1,2})(A?)\s*$/i.exec(text);
  if (match === null) return undefined;
  const number = match[1].padStart(2, '0');
  const name = match[2] === '' ? `B${number}` : `B${number.replace(/^0/, '')}A`;
  return isBandName(name) ? name : undefined;
}

/**
 * Names the bands of a file that must hold exactly `expected` (in that order unless
 * the file says otherwise): a file whose GDAL band descriptions are a permutation of
 * `expected` is read by its descriptions; descriptions that are not band names are
 * ignored (position decides, as in the reference); a wrong band count, or band
 * descriptions naming a different set of bands, is a UserError naming the file.
 */
export function nameBands(file: string, fileBands: number, descriptions: readonly (string | null)[], expected: readonly string[], what: string): string[] {
  if (fileBands !== expected.length) {
    throw new UserError(
      ErrorCode.imageInvalid,
      `${shownPath(file)}: has ${fileBands} band${fileBands === 1 ? '' : 's'}, expected ${expected.length} (${what}: ${expected.join(' ')})`,
      file,
    );
  }
  const described = descriptions.map((text) => (text === null ? undefined : canonicalBandName(text)));
  if (described.some((name) => name === undefined)) return [...expected];
  const set = new Set(described);
  const same = set.size === expected.length && expected.every((name) => set.has(name as BandName));
  if (!same) {
    throw new UserError(
      ErrorCode.imageInvalid,
      `${shownPath(file)}: band descriptions ${described.join(' ')} do not match the expected bands (${what}: ${expected.join(' ')})`,
      file,
    );
  }
  return described as string[];
}

/** Maps a model's band list to Sentinel-2 band names (RGB channel names to B04 B03 B02). */
export function sentinelBands(modelBands: readonly string[]): string[] {
  return modelBands.map((name) => RGB_CHANNELS[name.toLowerCase()] ?? canonicalBandName(name) ?? name);
}

/** The wanted bands that `available` lacks. */
export function missingBands(available: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((name) => !available.includes(name));
}

/**
 * The wanted bands of `raw`, in the wanted order (views, no copy). `file` names the
 * image in the error when a band is missing.
 */
export function selectBands(raw: RawImage, names: readonly string[], file = 'image'): RawImage {
  const missing = missingBands(raw.bands, names);
  if (missing.length > 0) {
    throw new UserError(
      ErrorCode.imageInvalid,
      `${shownPath(file)}: band${missing.length === 1 ? '' : 's'} ${missing.join(' ')} missing; the image has ${raw.bands.join(' ')}`,
      file,
    );
  }
  return {
    width: raw.width,
    height: raw.height,
    bands: [...names],
    data: names.map((name) => raw.data[raw.bands.indexOf(name)]),
  };
}
