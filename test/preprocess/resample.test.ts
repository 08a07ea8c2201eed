// Resampling against torch/torchvision (scripts/golden/resample.py) and rasterio/GDAL
// (scripts/golden/gdal_resample.py) golden files in test/fixtures/resample/.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resizeAntialiased, resizeAntialiasedInto, type Interpolation, type Planar } from '../../preprocess/resample/torch.ts';
import { axisKernel } from '../../preprocess/resample/torch-kernels.ts';
import { gdalBilinearToInt32 } from '../../datasets/bigearthnet-resample.ts';
import { resizeShorterSideCenterCropInto } from '../../preprocess/resample/torchvision.ts';
import { resizeShorterSide } from '../../preprocess/resample/torchvision.ts';
import { resizedShorterSide } from '../../preprocess/resample/torchvision.ts';
import { centerCropOffsets } from '../../preprocess/resample/torchvision.ts';
import { centerCrop } from '../../preprocess/resample/torchvision.ts';

const FIXTURES = new URL('../fixtures/resample/', import.meta.url);

interface Stored {
  file: string;
  dtype: 'float32' | 'uint8' | 'int16' | 'uint16' | 'int32';
  shape: number[];
}

type Typed = Float32Array | Uint8Array | Int16Array | Uint16Array | Int32Array;

function load(stored: Stored): Typed {
  const bytes = gunzipSync(readFileSync(new URL(stored.file, FIXTURES)));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const array = {
    float32: () => new Float32Array(buffer),
    uint8: () => new Uint8Array(buffer),
    int16: () => new Int16Array(buffer),
    uint16: () => new Uint16Array(buffer),
    int32: () => new Int32Array(buffer),
  }[stored.dtype]();
  assert.is(array.length, stored.shape.reduce((product, side) => product * side, 1), `${stored.file} size`);
  return array;
}

function planar(stored: Stored): Planar {
  const [channels, height, width] = stored.shape;
  return { data: load(stored) as Float32Array, channels, height, width };
}

const torchCases = JSON.parse(readFileSync(new URL('torch.json', FIXTURES), 'utf8')) as {
  kernels: { name: string; inSize: number; outSize: number; mode: Interpolation; weights: Stored }[];
  images: { name: string; op: string; input: Stored; expected: Stored; mode: Interpolation; size?: number; height?: number; width?: number }[];
  crops: { name: string; size: number; input: Stored; expected: Stored }[];
  sizes: { height: number; width: number; size: number; expected: { height: number; width: number } }[];
  provenance: { cpuCapability: string };
};
const gdalCases = JSON.parse(readFileSync(new URL('gdal.json', FIXTURES), 'utf8')) as {
  cases: { name: string; outHeight: number; outWidth: number; input: Stored; expected: Stored }[];
};

// torch's AVX2/AVX512 kernels are what the tables emulate; on those, equality is exact.
const torchBitExact = ['AVX2', 'AVX512'].includes(torchCases.provenance.cpuCapability);

/** Largest |actual - expected| relative to max(1, largest |expected|), and how many samples differ at all. */
function compare(actual: ArrayLike<number>, expected: ArrayLike<number>): { relative: number; differing: number } {
  assert.is(actual.length, expected.length, 'length');
  let scale = 1;
  for (let index = 0; index < expected.length; index++) scale = Math.max(scale, Math.abs(expected[index]));
  let worst = 0;
  let differing = 0;
  for (let index = 0; index < expected.length; index++) {
    const difference = Math.abs(actual[index] - expected[index]);
    if (!(difference <= worst)) worst = difference; // NaN propagates as a failure
    if (actual[index] !== expected[index]) differing++;
  }
  return { relative: worst / scale, differing };
}

function assertMatchesTorch(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const { relative, differing } = compare(actual, expected);
  assert.ok(relative <= 1e-6, `${name}: max relative difference ${relative} (tolerance 1e-6)`);
  if (torchBitExact) assert.is(differing, 0, `${name}: ${differing} samples differ from torch's bits`);
}

/** torchvision's ToTensor on uint8 HWC: CHW float32, divided by 255 in float32. */
function toTensor(pixels: Uint8Array, height: number, width: number, channels: number): Planar {
  const data = new Float32Array(pixels.length);
  for (let channel = 0; channel < channels; channel++) {
    for (let index = 0; index < height * width; index++) data[channel * height * width + index] = pixels[index * channels + channel] / 255;
  }
  return { data, channels, height, width };
}

test('axis kernels equal the weights torch uses', () => {
  for (const stored of torchCases.kernels) {
    const expected = load(stored.weights);
    const kernel = axisKernel(stored.inSize, stored.outSize, stored.mode);
    const dense = new Float32Array(stored.outSize * stored.inSize);
    for (let output = 0; output < stored.outSize; output++) {
      for (let tap = 0; tap < kernel.taps[output]; tap++) {
        dense[output * stored.inSize + kernel.first[output] + tap] = kernel.weights[output * kernel.stride + tap];
      }
    }
    assertMatchesTorch(stored.name, dense, expected);
  }
});

test('axis kernels are cached per (inSize, outSize, mode)', () => {
  assert.is(axisKernel(64, 224, 'bicubic'), axisKernel(64, 224, 'bicubic'));
  assert.is.not(axisKernel(64, 224, 'bicubic'), axisKernel(64, 224, 'bilinear'));
});

test('resizing equals torch and torchvision', () => {
  for (const image of torchCases.images) {
    let actual: Float32Array;
    if (image.op === 'interpolate') {
      actual = resizeAntialiased(planar(image.input), image.height!, image.width!, image.mode).data;
    } else if (image.op === 'resize-shorter') {
      actual = resizeShorterSide(planar(image.input), image.size!, image.mode).data;
    } else if (image.op === 'resize-shorter-crop') {
      actual = centerCrop(resizeShorterSide(planar(image.input), image.size!, image.mode), image.size!).data;
    } else if (image.op === 'rgb-uint8-resize-shorter-crop') {
      const [height, width, channels] = image.input.shape;
      const rgb = toTensor(load(image.input) as Uint8Array, height, width, channels);
      actual = centerCrop(resizeShorterSide(rgb, image.size!, image.mode), image.size!).data;
    } else {
      throw new Error(`unknown golden op ${image.op}`);
    }
    assertMatchesTorch(image.name, actual, load(image.expected));
  }
});

test('bicubic overshoot is kept: torchvision clamps only uint8 tensors', () => {
  const image = torchCases.images.find((candidate) => candidate.name === 'rgb-uint8-bicubic')!;
  const [height, width, channels] = image.input.shape;
  const rgb = toTensor(load(image.input) as Uint8Array, height, width, channels);
  const resized = centerCrop(resizeShorterSide(rgb, image.size!, 'bicubic'), image.size!).data;
  const expected = load(image.expected);
  assert.ok(Math.min(...expected) < 0 && Math.max(...expected) > 1, 'the golden case overshoots [0, 1]');
  assert.is(Math.min(...resized), Math.min(...expected));
  assert.is(Math.max(...resized), Math.max(...expected));
});

test('the fused resize + crop writes exactly the cropped full resize, at an offset', () => {
  for (const image of torchCases.images.filter((candidate) => candidate.op === 'resize-shorter-crop')) {
    const input = planar(image.input);
    const size = image.size!;
    const expected = load(image.expected);
    const out = new Float32Array(expected.length + 10).fill(-7);
    resizeShorterSideCenterCropInto(input, size, image.mode, out, 5);
    assertMatchesTorch(`${image.name} (fused)`, out.subarray(5, 5 + expected.length), expected);
    assert.equal([...out.subarray(0, 5), ...out.subarray(5 + expected.length)], new Array(10).fill(-7), 'nothing outside the slot is written');
    assert.equal(out.subarray(5, 5 + expected.length), centerCrop(resizeShorterSide(input, size, image.mode), size).data);
  }
});

test('resizeAntialiasedInto writes at an offset and matches resizeAntialiased', () => {
  const image = planar(torchCases.images.find((candidate) => candidate.name === 'interpolate-bicubic-50x70-37x91')!.input);
  const reference = resizeAntialiased(image, 37, 91, 'bicubic').data;
  const out = new Float32Array(reference.length + 3).fill(-7);
  resizeAntialiasedInto(image, 37, 91, 'bicubic', out, 3);
  assert.equal([...out.subarray(0, 3)], [-7, -7, -7]);
  assert.equal(out.subarray(3), reference);
  assert.throws(() => resizeAntialiasedInto(image, 37, 91, 'bicubic', out, 4), /too small/);
});

test('normalising while resizing equals resizing, then (x - mean) / std in float32', () => {
  const plane = planar(torchCases.images.find((candidate) => candidate.name === 'interpolate-bicubic-50x70-37x91')!.input);
  // Three channels, each its own mean and std.
  const image: Planar = { ...plane, channels: 3, data: Float32Array.from({ length: 3 * plane.data.length }, (_, index) => plane.data[index % plane.data.length] * (1 + Math.floor(index / plane.data.length))) };
  const mean = Float32Array.from({ length: image.channels }, (_, channel) => 0.1 + 0.05 * channel);
  const std = Float32Array.from({ length: image.channels }, (_, channel) => 0.2 + 0.03 * channel);
  const normalise = (resized: Float32Array): Float32Array => {
    const pixels = resized.length / image.channels;
    return resized.map((value, index) => Math.fround(value - mean[Math.floor(index / pixels)]) / std[Math.floor(index / pixels)]);
  };
  // Both axes (4-tap, 2-tap and any-tap lines), one axis only, or neither.
  for (const [height, width] of [[37, 91], [20, 30], [50, 91], [37, 70], [50, 70]]) {
    for (const mode of ['bicubic', 'bilinear'] as const) {
      const out = new Float32Array(image.channels * height * width + 2);
      resizeAntialiasedInto(image, height, width, mode, out, 2, { mean, std });
      assert.equal(out.subarray(2), normalise(resizeAntialiased(image, height, width, mode).data), `${mode} ${height}x${width}`);
    }
  }
  for (const size of [36, 50, 64]) {
    const out = new Float32Array(image.channels * size * size);
    resizeShorterSideCenterCropInto(image, size, 'bicubic', out, 0, { mean, std });
    assert.equal(out, normalise(centerCrop(resizeShorterSide(image, size, 'bicubic'), size).data), `crop ${size}`);
  }
  assert.throws(() => resizeAntialiasedInto(image, 37, 91, 'bicubic', new Float32Array(image.channels * 37 * 91), 0, { mean: new Float32Array(2), std: new Float32Array(2) }), /normalisation/);
});

test('centre crops equal torchvision CenterCrop (half-even offsets, zero padding)', () => {
  for (const crop of torchCases.crops) {
    const actual = centerCrop(planar(crop.input), crop.size);
    assert.is(actual.height, crop.size);
    assert.is(actual.width, crop.size);
    assert.equal(actual.data, load(crop.expected), crop.name);
  }
  // Python's round(): 0.5 -> 0, 1.5 -> 2, 2.5 -> 2.
  assert.equal(centerCropOffsets(225, 224, 224), { top: 0, left: 0 });
  assert.equal(centerCropOffsets(227, 229, 224), { top: 2, left: 2 });
  assert.equal(centerCropOffsets(230, 224, 224), { top: 3, left: 0 });
});

test('Resize(int) output sizes equal torchvision', () => {
  for (const { height, width, size, expected } of torchCases.sizes) {
    assert.equal(resizedShorterSide(height, width, size), expected, `${height}x${width} -> ${size}`);
  }
});

test('rasterio/GDAL bilinear int32 reads are reproduced exactly', () => {
  for (const gdal of gdalCases.cases) {
    const [height, width] = gdal.input.shape;
    const actual = gdalBilinearToInt32(load(gdal.input), width, height, gdal.outWidth, gdal.outHeight);
    const { differing } = compare(actual, load(gdal.expected));
    assert.is(differing, 0, `${gdal.name}: ${differing} values differ from GDAL`);
  }
});

test('GDAL-style reads refuse downsampling and mismatched bands', () => {
  assert.throws(() => gdalBilinearToInt32(new Int16Array(240 * 240), 240, 240, 120, 120), /only upsampling/);
  assert.throws(() => gdalBilinearToInt32(new Int16Array(10), 4, 4, 8, 8), /expected 4x4/);
});

test.run();
