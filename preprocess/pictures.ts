/**
 * PNG and JPEG inputs of RGB models, prepared as the reference prepares them:
 * open_clip's transform on a PIL image.
 *
 * 1. Decode to the PIL mode the file opens in (RGB, RGBA, L, LA, P, 1).
 * 2. Resize the shorter side to the model's size (torchvision's size rule) with
 *    Pillow's 8-bit resampler: bicubic, or nearest for palette and 1-bit images.
 * 3. Centre crop (torchvision's offsets: Python's round, half to even).
 * 4. Drop alpha (`convert('RGB')`), divide by 255, normalise per channel in float32.
 *
 * PNG decoding is exact. JPEG decoding (jpeg-js) is not libjpeg-turbo's: without
 * chroma subsampling pixels differ by up to ~4 levels (IDCT and colour rounding);
 * with 4:2:0 subsampling, colours differ more at sharp colour edges (jpeg-js repeats
 * chroma samples where libjpeg interpolates them). JPEG inputs are close to, not equal
 * to, the reference's.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { resizedShorterSide } from './resample/torchvision.ts';
import { centerCropOffsets } from './resample/torchvision.ts';
import { ErrorCode, UserError, fileError, shownPath } from '../core/errors.ts';
import { pilResizeBicubic, pilResizeNearest, type Rgba8Image } from './resample/pillow.ts';

export type PictureMode = 'RGB' | 'RGBA' | 'L' | 'LA' | 'P' | '1';

export interface Picture extends Rgba8Image {
  /** The PIL mode the reference would see; decides the resize filter and alpha handling. */
  mode: PictureMode;
}

function invalid(file: string, reason: string): UserError {
  return new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: ${reason}`, file);
}

/**
 * Removes tRNS chunks of grey and RGB PNGs: pngjs would zero the "transparent"
 * colour, while Pillow keeps those pixels and convert('RGB') ignores transparency.
 */
function withoutColourKey(bytes: Uint8Array): Uint8Array {
  const colorType = bytes[25];
  if (colorType !== 0 && colorType !== 2) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (type !== 'tRNS') parts.push(bytes.subarray(offset, end));
    offset = end;
  }
  return parts.length === 1 ? bytes : Buffer.concat(parts);
}

/** What the image limit says of a declared size, before a decoder allocates it. */
export function checkImagePixels(file: string, width: number, height: number, maxPixels: number | undefined): void {
  const pixels = width * height;
  if (maxPixels !== undefined && pixels > maxPixels) {
    throw fileError(ErrorCode.imageInvalid, file, `declares ${width}x${height} = ${pixels} pixels, more than the limit of ${maxPixels} (--max-image-pixels)`, `if the image is real, raise the limit with --max-image-pixels ${pixels}`);
  }
}

export function decodePng(bytes: Uint8Array, file: string, maxPixels?: number): Picture {
  // The IHDR chunk comes first: width and height at bytes 16 and 20, big-endian.
  if (bytes.length >= 24 && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkImagePixels(file, view.getUint32(16), view.getUint32(20), maxPixels);
  }
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(withoutColourKey(bytes)), { skipRescale: true });
  } catch (error) {
    throw invalid(file, `not a readable PNG (${(error as Error).message})`);
  }
  const colorType: number = png.colorType;
  const depth: number = png.depth;
  // With skipRescale, 16-bit images come back as a Uint16Array despite the typings.
  const source = png.data as unknown as ArrayLike<number>;
  if (depth === 16 && colorType === 0) {
    throw invalid(file, '16-bit greyscale PNG is not supported for RGB models; save it as 8-bit or as a GeoTIFF/.npy');
  }
  // Pillow keeps the high byte of 16-bit samples and scales 1/2/4-bit grey to 0..255.
  const data = new Uint8Array(png.width * png.height * 4);
  const scale = colorType === 3 ? 1 : depth === 16 ? 1 / 256 : depth < 8 ? 255 / (2 ** depth - 1) : 1;
  for (let index = 0; index < data.length; index++) data[index] = Math.floor(source[index] * scale);
  const modes: Record<number, PictureMode> = { 0: depth === 1 ? '1' : 'L', 2: 'RGB', 3: 'P', 4: 'LA', 6: 'RGBA' };
  const mode = modes[colorType];
  if (!mode) throw invalid(file, `PNG colour type ${colorType} is not supported`);
  if (mode === 'P' || mode === 'RGB' || mode === 'L' || mode === '1') for (let index = 3; index < data.length; index += 4) data[index] = 255;
  return { width: png.width, height: png.height, data, mode };
}

export function decodeJpeg(bytes: Uint8Array, file: string, maxPixels?: number): Picture {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    // jpeg-js refuses frames over maxResolutionInMP (100 by default) before allocating them.
    const limit = maxPixels === undefined ? {} : { maxResolutionInMP: maxPixels / 1e6 };
    decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048, ...limit });
  } catch (error) {
    if (/maxResolutionInMP/.test((error as Error).message)) {
      throw fileError(ErrorCode.imageInvalid, file, `declares more than ${maxPixels ?? 1e8} pixels (${(error as Error).message})`, 'if the image is real, raise the limit with --max-image-pixels N');
    }
    throw invalid(file, `not a readable JPEG (${(error as Error).message})`);
  }
  return { width: decoded.width, height: decoded.height, data: decoded.data, mode: 'RGB' };
}

export interface PictureSpec {
  size: number;
  mean: readonly number[];
  std: readonly number[];
}

/** Writes [3, size, size] normalised float32 pixels of `picture` into `out` at `offset`. */
export function preparePicture(picture: Picture, spec: PictureSpec, out: Float32Array, offset = 0): void {
  // torchvision's size and crop rules, shared with the tile path.
  const target = resizedShorterSide(picture.height, picture.width, spec.size);
  const nearest = picture.mode === 'P' || picture.mode === '1';
  const resized = nearest
    ? pilResizeNearest(picture, target.width, target.height)
    : pilResizeBicubic(picture, target.width, target.height, picture.mode === 'RGBA' || picture.mode === 'LA');
  const { top, left } = centerCropOffsets(resized.height, resized.width, spec.size);
  const plane = spec.size * spec.size;
  for (let channel = 0; channel < 3; channel++) {
    const mean = Math.fround(spec.mean[channel]);
    const std = Math.fround(spec.std[channel]);
    for (let y = 0; y < spec.size; y++) {
      for (let x = 0; x < spec.size; x++) {
        const value = resized.data[((y + top) * resized.width + x + left) * 4 + channel];
        // ToTensor then Normalize, each step rounded to float32 as torch does.
        out[offset + channel * plane + y * spec.size + x] = Math.fround(Math.fround(Math.fround(value / 255) - mean) / std);
      }
    }
  }
}
