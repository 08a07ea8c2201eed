/**
 * Pillow's 8-bit resize, bit for bit. The reference hands PNG/JPEG inputs of RGB
 * models to open_clip's preprocessing as PIL images, so `Resize(224, BICUBIC)` runs
 * Pillow's fixed-point two-pass resampler (uint8 rounding between the passes), not
 * torch's float kernels; palette and 1-bit images are resized nearest-neighbour.
 * Pixels are RGBA, interleaved, one byte per channel.
 */

/** Pillow keeps 22 fractional bits for 8-bit resampling (32 - 8 - 2). */
const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;

export interface Rgba8Image {
  width: number;
  height: number;
  /** RGBA interleaved, width * height * 4 bytes. */
  data: Uint8Array;
}

function bicubicFilter(value: number): number {
  const a = -0.5;
  const x = Math.abs(value);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

interface Coefficients {
  /** Kernel width: coefficient slots per output pixel. */
  kernelSize: number;
  /** First input index of each output pixel. */
  start: Int32Array;
  /** Number of input pixels used by each output pixel. */
  count: Int32Array;
  /** Fixed-point weights, [output][kernelSize]. */
  weights: Float64Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the bicubic filter. */
function coefficients(inputSize: number, outputSize: number): Coefficients {
  const support = 2;
  const scale = inputSize / outputSize;
  const filterScale = Math.max(scale, 1);
  const scaledSupport = support * filterScale;
  const kernelSize = Math.ceil(scaledSupport) * 2 + 1;
  const start = new Int32Array(outputSize);
  const count = new Int32Array(outputSize);
  const weights = new Float64Array(outputSize * kernelSize);
  const row = new Float64Array(kernelSize);
  for (let out = 0; out < outputSize; out++) {
    const center = (out + 0.5) * scale;
    // C's (int) cast truncates toward zero before the clamp.
    const first = Math.max(0, Math.trunc(center - scaledSupport + 0.5));
    const last = Math.min(inputSize, Math.trunc(center + scaledSupport + 0.5));
    const used = last - first;
    let total = 0;
    for (let x = 0; x < used; x++) {
      row[x] = bicubicFilter((x + first - center + 0.5) / filterScale);
      total += row[x];
    }
    for (let x = 0; x < used; x++) {
      const weight = total !== 0 ? row[x] / total : row[x];
      weights[out * kernelSize + x] = weight < 0 ? Math.trunc(-0.5 + weight * ONE) : Math.trunc(0.5 + weight * ONE);
    }
    start[out] = first;
    count[out] = used;
  }
  return { kernelSize, start, count, weights };
}

/** Pillow's clip8: arithmetic shift by the precision, then clamp to a byte. */
function clip8(sum: number): number {
  const shifted = Math.floor(sum / ONE);
  return shifted < 0 ? 0 : shifted > 255 ? 255 : shifted;
}

/** One pass along x (`horizontal`) or y over the first `channels` bytes of each RGBA pixel (the others stay 0). */
function resamplePass(image: Rgba8Image, outputSize: number, horizontal: boolean, channels: number): Rgba8Image {
  const inputSize = horizontal ? image.width : image.height;
  const { kernelSize, start, count, weights } = coefficients(inputSize, outputSize);
  const width = horizontal ? outputSize : image.width;
  const height = horizontal ? image.height : outputSize;
  const data = new Uint8Array(width * height * 4);
  const source = image.data;
  const step = horizontal ? 4 : image.width * 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const out = horizontal ? x : y;
      const base = horizontal ? y * image.width * 4 + start[out] * 4 : start[out] * image.width * 4 + x * 4;
      const target = (y * width + x) * 4;
      for (let channel = 0; channel < channels; channel++) {
        let sum = ONE / 2;
        for (let k = 0; k < count[out]; k++) sum += source[base + k * step + channel] * weights[out * kernelSize + k];
        data[target + channel] = clip8(sum);
      }
    }
  }
  return { width, height, data };
}

/**
 * `Image.resize((width, height), BICUBIC)` for modes RGB, RGBA, L and LA. Alpha
 * images are premultiplied first and un-premultiplied after, as Pillow does.
 */
export function pilResizeBicubic(image: Rgba8Image, width: number, height: number, hasAlpha: boolean): Rgba8Image {
  if (image.width === width && image.height === height) return { width, height, data: image.data.slice() };
  let current = hasAlpha ? premultiply(image) : image;
  // Pillow skips a pass whose size does not change, so no rounding happens there.
  if (width !== current.width) current = resamplePass(current, width, true, hasAlpha ? 4 : 3);
  if (height !== current.height) current = resamplePass(current, height, false, hasAlpha ? 4 : 3);
  if (hasAlpha) return unpremultiply(current);
  for (let index = 3; index < current.data.length; index += 4) current.data[index] = 255;
  return current;
}

/** Pillow's MULDIV255 premultiplication (RGBA -> RGBa). */
function premultiply(image: Rgba8Image): Rgba8Image {
  const data = new Uint8Array(image.data.length);
  for (let index = 0; index < data.length; index += 4) {
    const alpha = image.data[index + 3];
    for (let channel = 0; channel < 3; channel++) {
      const product = image.data[index + channel] * alpha + 128;
      data[index + channel] = ((product >> 8) + product) >> 8;
    }
    data[index + 3] = alpha;
  }
  return { width: image.width, height: image.height, data };
}

/** Pillow's rgba2rgbA: integer division by alpha, clipped. */
function unpremultiply(image: Rgba8Image): Rgba8Image {
  const data = image.data;
  for (let index = 0; index < data.length; index += 4) {
    const alpha = data[index + 3];
    if (alpha === 255 || alpha === 0) continue;
    for (let channel = 0; channel < 3; channel++) data[index + channel] = Math.min(255, Math.floor((255 * data[index + channel]) / alpha));
  }
  return image;
}

/** `Image.resize(size, NEAREST)` (Pillow's ImagingScaleAffine): what palette and 1-bit images get. */
export function pilResizeNearest(image: Rgba8Image, width: number, height: number): Rgba8Image {
  if (image.width === width && image.height === height) return { width, height, data: image.data.slice() };
  const data = new Uint8Array(width * height * 4);
  const columns = new Int32Array(width);
  const xScale = image.width / width;
  const yScale = image.height / height;
  // Pillow accumulates the source coordinate by repeated addition; so do we.
  let xSource = xScale * 0.5;
  for (let x = 0; x < width; x++, xSource += xScale) columns[x] = Math.min(image.width - 1, Math.trunc(xSource));
  let ySource = yScale * 0.5;
  for (let y = 0; y < height; y++, ySource += yScale) {
    const row = Math.min(image.height - 1, Math.trunc(ySource));
    for (let x = 0; x < width; x++) data.set(image.data.subarray((row * image.width + columns[x]) * 4, (row * image.width + columns[x]) * 4 + 4), (y * width + x) * 4);
  }
  return { width, height, data };
}
