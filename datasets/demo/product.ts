/**
 * Turns a rendered scene into the digital numbers a Sentinel-2 product stores:
 *
 *  1. per band, Level-1C top-of-atmosphere or Level-2A surface reflectance;
 *  2. the band's own ground sampling: 20 m and 60 m bands average 2x2 and 6x6 blocks
 *     of the 10 m scene; the coarse raster is kept (BigEarthNet stores 60x60 and
 *     20x20 files) or replicated back onto the 10 m grid (EuroSAT and METER-ML
 *     deliver every band at 10 m);
 *  3. sensor noise (a floor plus a part proportional to the signal);
 *  4. DN = round(reflectance x 10000), clamped to the sample type.
 */
import { blockAverage } from './noise.ts';
import type { Random } from '../../core/random.ts';
import type { Scene } from './scene.ts';
import { BAND_RESOLUTION, L1C_BANDS, L2A_BANDS, type BandName } from '../sentinel2.ts';
import { QUANTIFICATION, bandTransform, type Atmosphere } from './spectra.ts';

export type ProcessingLevel = 'L1C' | 'L2A';
export type SampleType = 'int16' | 'uint16';

export interface ProductOptions {
  level: ProcessingLevel;
  /** Keep 20 m / 60 m bands at their own (coarser) size instead of the 10 m grid. */
  nativeResolution: boolean;
  sampleType: SampleType;
}

export interface BandRaster {
  band: BandName;
  width: number;
  height: number;
  data: Int16Array | Uint16Array;
}

export function drawAtmosphere(random: Random): Atmosphere {
  return { aerosol: random.range(0.7, 1.4), waterVapour: random.range(0.75, 1.25) };
}

export function toProduct(scene: Scene, options: ProductOptions, atmosphere: Atmosphere, random: Random): BandRaster[] {
  const { width, height } = scene;
  const bands = options.level === 'L1C' ? L1C_BANDS : L2A_BANDS;
  // Reflectance DNs are never negative, whatever the sample type can hold.
  const high = options.sampleType === 'int16' ? 32767 : 65535;
  return bands.map((band) => {
    // Step 1.
    const reflectance = new Float32Array(width * height);
    const surface = band === 'B10' ? scene.cirrus : scene.reflectance[L2A_BANDS.indexOf(band)];
    const { offset, gain } = bandTransform(band, options.level, atmosphere);
    for (let pixel = 0; pixel < reflectance.length; pixel++) reflectance[pixel] = offset + gain * surface[pixel];
    // Step 2.
    const factor = BAND_RESOLUTION[band] / 10;
    const sensor = factor > 1 ? blockAverage(reflectance, width, height, factor) : { data: reflectance, width, height };
    // Steps 3-4 at the band's own sampling: noise with a floor of 8 DN plus 0.6% of the
    // signal (a radiometric SNR of a few hundred), then rounding and clamping.
    const sensorData = options.sampleType === 'int16' ? new Int16Array(sensor.data.length) : new Uint16Array(sensor.data.length);
    for (let pixel = 0; pixel < sensorData.length; pixel++) {
      const value = sensor.data[pixel] * QUANTIFICATION;
      const dn = Math.round(value + (8 + 0.006 * Math.abs(value)) * random.tabledNormal());
      sensorData[pixel] = Math.min(high, Math.max(0, dn));
    }
    if (factor === 1 || options.nativeResolution) return { band, width: sensor.width, height: sensor.height, data: sensorData };
    // EuroSAT and METER-ML deliver coarse bands on the 10 m grid: each coarse pixel repeated.
    const data = options.sampleType === 'int16' ? new Int16Array(width * height) : new Uint16Array(width * height);
    for (let y = 0; y < height; y++) {
      const row = Math.floor(y / factor) * sensor.width;
      for (let x = 0; x < width; x++) data[y * width + x] = sensorData[row + Math.floor(x / factor)];
    }
    return { band, width, height, data };
  });
}
