/**
 * Timings of the resampling kernels on one core (not a test):
 *
 *   npx tsx bench/resample-bench.ts
 *
 * Prints the median time per tile and tiles per second for
 * 1. the resize alone: 10 bands 64x64 -> 224x224 bicubic (EuroSAT_MS);
 * 2. the EuroSAT data path after decoding: 13 int16 bands -> 10 by name -> float32
 *    -> bicubic Resize(224) (+ CenterCrop, a no-op here) and normalise straight
 *    into a batch buffer;
 *    (and the same with freshly allocated images: resizeShorterSide + centerCrop,
 *    then a normalising copy into the batch);
 * 3. BigEarthNet: 12 GDAL-style band reads (20/60 -> 120) and 10 bands 120 -> 224
 *    bilinear.
 */
import { resizeAntialiasedInto, type Planar } from '../preprocess/resample/torch.ts';
import { gdalBilinearToInt32 } from '../datasets/bigearthnet-resample.ts';
import { resizeShorterSideCenterCropInto } from '../preprocess/resample/torchvision.ts';
import { resizeShorterSide } from '../preprocess/resample/torchvision.ts';
import { centerCrop } from '../preprocess/resample/torchvision.ts';

const BANDS = 10;
const MEAN = [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645];
const STD = [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08];
/** EuroSAT-MS L1C order B01..B12 with B10: the model's bands drop B01, B09, B10. */
const KEEP = [1, 2, 3, 4, 5, 6, 7, 8, 11, 12];

let seed = 12345;
function random(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}

/**
 * Median wall time and median CPU time (user + system of this process) per tile.
 * On a busy machine the CPU time is the better measure of one core's throughput.
 */
function measure(name: string, tiles: number, run: (tile: number) => void): void {
  for (let tile = 0; tile < Math.min(tiles, 50); tile++) run(tile); // warm up the JIT
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let tile = 0; tile < tiles; tile++) {
    const cpuStarted = process.cpuUsage();
    const started = process.hrtime.bigint();
    run(tile);
    wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    const used = process.cpuUsage(cpuStarted);
    cpu.push((used.user + used.system) / 1e3);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const wallMedian = median(wall);
  const cpuMedian = median(cpu);
  console.log(`${name}:\n  wall median ${wallMedian.toFixed(3)} ms/tile = ${(1000 / wallMedian).toFixed(0)} tiles/s; ` +
    `CPU median ${cpuMedian.toFixed(3)} ms/tile = ${(1000 / cpuMedian).toFixed(0)} tiles/s per core (${tiles} tiles)`);
}

const TILES = 32; // distinct inputs, cycled
const eurosat = Array.from({ length: TILES }, () => {
  const bands = Array.from({ length: 13 }, () => Int16Array.from({ length: 64 * 64 }, () => Math.floor(random() * 4000)));
  return bands;
});
const batchSize = 32;
const batch = new Float32Array(batchSize * BANDS * 224 * 224);

const floatTiles: Planar[] = eurosat.map((bands) => {
  const data = new Float32Array(BANDS * 64 * 64);
  KEEP.forEach((band, channel) => data.set(bands[band], channel * 64 * 64));
  return { data, channels: BANDS, height: 64, width: 64 };
});
measure('resize 10x64x64 -> 10x224x224 bicubic', 2000, (tile) => {
  resizeAntialiasedInto(floatTiles[tile % TILES], 224, 224, 'bicubic', batch, (tile % batchSize) * BANDS * 224 * 224);
});

const planes = new Float32Array(BANDS * 64 * 64);
const pixels = 224 * 224;
const NORMALIZATION = { mean: Float32Array.from(MEAN), std: Float32Array.from(STD) };
function normalise(source: Float32Array, offset: number): void {
  for (let channel = 0; channel < BANDS; channel++) {
    const mean = MEAN[channel];
    const std = STD[channel];
    const from = channel * pixels;
    const to = offset + channel * pixels;
    // torch's sub_ then div_: two float32 roundings (the store makes the second).
    for (let index = 0; index < pixels; index++) batch[to + index] = Math.fround(source[from + index] - mean) / std;
  }
}
measure('EuroSAT path: 13 int16 bands -> 10 -> float32 -> bicubic 224 + crop + normalise into the batch', 2000, (tile) => {
  const bands = eurosat[tile % TILES];
  KEEP.forEach((band, channel) => planes.set(bands[band], channel * 64 * 64));
  resizeShorterSideCenterCropInto({ data: planes, channels: BANDS, height: 64, width: 64 }, 224, 'bicubic', batch, (tile % batchSize) * BANDS * pixels,
    NORMALIZATION);
});
measure('EuroSAT path with allocations: resizeShorterSide + centerCrop, normalising copy into the batch', 2000, (tile) => {
  const bands = eurosat[tile % TILES];
  const data = new Float32Array(BANDS * 64 * 64);
  KEEP.forEach((band, channel) => data.set(bands[band], channel * 64 * 64));
  const image = centerCrop(resizeShorterSide({ data, channels: BANDS, height: 64, width: 64 }, 224, 'bicubic'), 224);
  normalise(image.data, (tile % batchSize) * BANDS * pixels);
});

const SIDES = [20, 120, 120, 120, 60, 60, 60, 120, 60, 20, 60, 60]; // B01..B12 without B10
const patches = Array.from({ length: 8 }, () => SIDES.map((side) => Int16Array.from({ length: side * side }, () => Math.floor(random() * 10000))));
const patchPlanes = new Float32Array(BANDS * 120 * 120);
measure('BigEarthNet path: 12 GDAL bilinear reads to 120 + 10 bands bilinear 120 -> 224', 300, (tile) => {
  const bands = patches[tile % patches.length].map((band, index) => gdalBilinearToInt32(band, SIDES[index], SIDES[index], 120, 120));
  [1, 2, 3, 4, 5, 6, 7, 8, 10, 11].forEach((band, channel) => patchPlanes.set(bands[band], channel * 120 * 120));
  resizeAntialiasedInto({ data: patchPlanes, channels: BANDS, height: 120, width: 120 }, 224, 224, 'bilinear', batch, (tile % batchSize) * BANDS * 224 * 224);
});
