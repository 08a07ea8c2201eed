/**
 * GDAL's bilinear resampling as the BigEarthNet loader calls it: rasterio's
 * `read(out_shape, resampling=bilinear, out_dtype='int32')` of an integer band (the
 * 20 m and 60 m bands brought to 120 x 120). Part of reading the dataset as the
 * reference reads it, so it lives with the loader; written by hand because no
 * JavaScript library reproduces GDAL's weights and rounding.
 */

const fround = Math.fround;

/** GDAL's per-axis bilinear weights for RasterIO upsampling (GDALResampleChunk_Convolution, radius 1). */
interface GdalAxis {
  first: Int32Array;
  taps: Int32Array;
  /** [outSize * 3] double weights, normalised. */
  weights: Float64Array;
}

const GDAL_MAX_TAPS = 3;

function gdalAxis(inSize: number, outSize: number): GdalAxis {
  // All in double, as GDAL computes it. When upsampling (ratio <= 1) the kernel keeps
  // its radius of 1 input pixel, so at most 3 taps; they are clamped to the raster.
  const ratio = inSize / outSize;
  const first = new Int32Array(outSize);
  const taps = new Int32Array(outSize);
  const weights = new Float64Array(outSize * GDAL_MAX_TAPS);
  for (let output = 0; output < outSize; output++) {
    const center = (output + 0.5) * ratio;
    const start = Math.max(Math.floor(center - 1 + 0.5), 0);
    const stop = Math.min(Math.trunc(center + 1 + 0.5), inSize);
    let x = start - center + 0.5;
    let total = 0;
    for (let tap = 0; tap < stop - start; tap++, x += 1) {
      const distance = Math.abs(x);
      const weight = distance <= 1 ? 1 - distance : 0;
      weights[output * GDAL_MAX_TAPS + tap] = weight;
      total += weight;
    }
    if (total !== 0) {
      const inverse = 1 / total;
      for (let tap = 0; tap < stop - start; tap++) weights[output * GDAL_MAX_TAPS + tap] *= inverse;
    }
    first[output] = start;
    taps[output] = stop - start;
  }
  return { first, taps, weights };
}

/**
 * rasterio's `read(1, out_shape=(outHeight, outWidth), resampling=Resampling.bilinear,
 * out_dtype='int32')` of an int16/uint16 band without nodata (GDAL 3.6's
 * RasterIOResampled). Upsampling or same size per axis only (BigEarthNet: 20 and 60
 * -> 120, 120 -> 120): GDAL's downsampling sums in SIMD orders that vary by data type.
 *
 * GDAL filters the width (double sums), then the height (double sums), converts to
 * float32, and writes the band's own integer type, rounding halves away from zero,
 * before widening to int32.
 */
export function gdalBilinearToInt32(band: ArrayLike<number>, width: number, height: number, outWidth: number, outHeight: number): Int32Array {
  if (band.length !== width * height) throw new RangeError(`band has ${band.length} samples, expected ${width}x${height}`);
  if (outWidth < width || outHeight < height) {
    throw new RangeError(`GDAL-style bilinear read of a ${width}x${height} band to ${outWidth}x${outHeight}: only upsampling (or the same size) is supported`);
  }
  const out = new Int32Array(outWidth * outHeight);
  if (outWidth === width && outHeight === height) {
    // GDAL copies without resampling.
    for (let index = 0; index < out.length; index++) out[index] = band[index];
    return out;
  }
  const horizontal = gdalAxis(width, outWidth);
  const vertical = gdalAxis(height, outHeight);
  const filtered = new Float64Array(height * outWidth);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < outWidth; column++) {
      const input = row * width + horizontal.first[column];
      const weightRow = column * GDAL_MAX_TAPS;
      let sum = 0;
      for (let tap = 0; tap < horizontal.taps[column]; tap++) sum += band[input + tap] * horizontal.weights[weightRow + tap];
      filtered[row * outWidth + column] = sum;
    }
  }
  for (let line = 0; line < outHeight; line++) {
    const weightRow = line * GDAL_MAX_TAPS;
    const input = vertical.first[line] * outWidth;
    for (let column = 0; column < outWidth; column++) {
      let sum = 0;
      for (let tap = 0; tap < vertical.taps[line]; tap++) sum += filtered[input + tap * outWidth + column] * vertical.weights[weightRow + tap];
      const value = fround(sum);
      // float32 -> integer: add +-0.5 in float32, truncate.
      out[line * outWidth + column] = Math.trunc(value >= 0 ? fround(value + 0.5) : fround(value - 0.5));
    }
  }
  return out;
}
