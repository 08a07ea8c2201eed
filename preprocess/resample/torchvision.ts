/**
 * torchvision's geometry around the resampling: `Resize(int)` (the shorter side to
 * `size`) and `CenterCrop(int)`, with Python's rounding, as the reference's
 * transforms apply them to tensors.
 */
import type { Interpolation } from '../../datasets/types.ts';
import { checkImage, resampleWindowInto, resizeAntialiased, type Normalization, type Planar } from './torch.ts';

/** torchvision's `Resize(size)` output size: the shorter side becomes `size`, the longer int(size * long / short). */
export function resizedShorterSide(height: number, width: number, size: number): { height: number; width: number } {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`resize size ${size} is not a positive integer`);
  const short = Math.min(height, width);
  const long = Math.max(height, width);
  const newLong = Math.trunc((size * long) / short);
  return width <= height ? { height: newLong, width: size } : { height: size, width: newLong };
}

/** torchvision's `Resize(size, interpolation, antialias=True)` on a tensor (an image already that size is returned as is). */
export function resizeShorterSide(image: Planar, size: number, mode: Interpolation): Planar {
  const target = resizedShorterSide(image.height, image.width, size);
  if (target.height === image.height && target.width === image.width) return image;
  return resizeAntialiased(image, target.height, target.width, mode);
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Where torchvision's `CenterCrop(size)` cuts an image it does not need to pad: int(round((h - size) / 2)). */
export function centerCropOffsets(height: number, width: number, size: number): { top: number; left: number } {
  return { top: roundHalfEven((height - size) / 2), left: roundHalfEven((width - size) / 2) };
}

/** torchvision's `CenterCrop(size)`: zero padding (left/top get the smaller half) where the image is smaller, then the crop. */
export function centerCrop(image: Planar, size: number): Planar {
  checkImage(image);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`crop size ${size} is not a positive integer`);
  const { channels, height, width, data } = image;
  // After padding, each side is max(side, size); the pad before is floor((size - side) / 2).
  const paddedHeight = Math.max(height, size);
  const paddedWidth = Math.max(width, size);
  const padTop = Math.floor((paddedHeight - height) / 2);
  const padLeft = Math.floor((paddedWidth - width) / 2);
  const { top, left } = centerCropOffsets(paddedHeight, paddedWidth, size);
  const out = new Float32Array(channels * size * size);
  for (let channel = 0; channel < channels; channel++) {
    for (let row = 0; row < size; row++) {
      const sourceRow = row + top - padTop;
      if (sourceRow < 0 || sourceRow >= height) continue;
      const fromColumn = Math.max(left - padLeft, 0);
      const toColumn = Math.min(left - padLeft + size, width);
      if (toColumn <= fromColumn) continue;
      const source = channel * height * width + sourceRow * width;
      out.set(data.subarray(source + fromColumn, source + toColumn), channel * size * size + row * size + fromColumn - (left - padLeft));
    }
  }
  return { data: out, channels, height: size, width: size };
}

/**
 * `Resize(size)` then `CenterCrop(size)`, writing channels * size * size floats at
 * out[offset], normalised per channel when `normalization` is given. Only the kept
 * pixels are computed (each output pixel depends on its own row and column alone, so
 * the values equal the full resize's).
 */
export function resizeShorterSideCenterCropInto(image: Planar, size: number, mode: Interpolation, out: Float32Array, offset = 0,
  normalization?: Normalization): void {
  const full = resizedShorterSide(image.height, image.width, size);
  const { top, left } = centerCropOffsets(full.height, full.width, size);
  resampleWindowInto(image, full.height, full.width, mode, { top, left, height: size, width: size }, out, offset, normalization);
}
