/**
 * The spectral side of the demo scenes: surface reflectance of the materials scenes
 * are made of, at the Sentinel-2 band centres, and a simple atmosphere that turns
 * surface reflectance (Level-2A) into top-of-atmosphere reflectance (Level-1C).
 *
 * The reflectances are rounded values of the typical shapes found in the USGS
 * Spectral Library (splib07) and the ECOSTRESS library for these cover types, and in
 * the Sentinel-2 literature: water dark beyond 700 nm; snow bright in the visible and
 * dark in SWIR (B11, B12) while water clouds stay bright there; healthy canopies with
 * a steep red edge (B05 -> B07) and high NIR plateau, stressed canopies with the
 * same visible colour but a lower red edge and NIR and brighter SWIR; broadleaf
 * canopies brighter in NIR than coniferous ones; soils rising slowly into SWIR. They
 * are plausible magnitudes for a demo, not measurements.
 */

import { L1C_BANDS, type BandName } from '../sentinel2.ts';

/** Surface reflectance (0..1) in L2A_BANDS order. */
type Spectrum = readonly [number, number, number, number, number, number, number, number, number, number, number, number];

export const MATERIALS = {
  //                   B01    B02    B03    B04    B05    B06    B07    B08    B8A    B09    B11    B12
  waterDeep:          [0.050, 0.045, 0.035, 0.015, 0.010, 0.007, 0.006, 0.005, 0.004, 0.003, 0.002, 0.001],
  waterTurbid:        [0.060, 0.065, 0.085, 0.065, 0.055, 0.030, 0.025, 0.020, 0.018, 0.012, 0.006, 0.004],
  waterEutrophic:     [0.035, 0.035, 0.065, 0.040, 0.055, 0.050, 0.050, 0.045, 0.040, 0.030, 0.012, 0.007],
  // Snow and cloud share their visible colour; SWIR tells them apart.
  snow:               [0.860, 0.870, 0.860, 0.850, 0.840, 0.830, 0.810, 0.790, 0.770, 0.640, 0.080, 0.050],
  cloud:              [0.840, 0.860, 0.860, 0.850, 0.850, 0.840, 0.830, 0.820, 0.810, 0.700, 0.560, 0.400],
  // Healthy and stressed crops share their visible colour; red edge, NIR and SWIR differ.
  cropHealthy:        [0.030, 0.035, 0.070, 0.040, 0.110, 0.320, 0.420, 0.460, 0.480, 0.400, 0.210, 0.100],
  cropStressed:       [0.032, 0.037, 0.072, 0.046, 0.130, 0.220, 0.270, 0.290, 0.300, 0.260, 0.300, 0.190],
  // Broadleaf and coniferous canopies are both dark green; NIR differs.
  forestBroadleaf:    [0.025, 0.028, 0.055, 0.030, 0.085, 0.270, 0.350, 0.380, 0.400, 0.340, 0.180, 0.080],
  forestConifer:      [0.022, 0.025, 0.050, 0.028, 0.070, 0.170, 0.210, 0.230, 0.240, 0.200, 0.110, 0.050],
  grass:              [0.040, 0.045, 0.085, 0.060, 0.120, 0.260, 0.310, 0.330, 0.340, 0.290, 0.260, 0.150],
  grassDry:           [0.060, 0.070, 0.100, 0.115, 0.150, 0.210, 0.240, 0.260, 0.270, 0.240, 0.340, 0.250],
  shrub:              [0.035, 0.040, 0.060, 0.060, 0.090, 0.160, 0.190, 0.210, 0.220, 0.190, 0.220, 0.130],
  wetlandVegetation:  [0.030, 0.035, 0.060, 0.045, 0.090, 0.180, 0.220, 0.240, 0.250, 0.200, 0.120, 0.060],
  peat:               [0.030, 0.030, 0.050, 0.050, 0.080, 0.140, 0.170, 0.190, 0.200, 0.170, 0.150, 0.080],
  soil:               [0.090, 0.100, 0.140, 0.180, 0.210, 0.230, 0.250, 0.270, 0.280, 0.250, 0.340, 0.290],
  soilDark:           [0.050, 0.055, 0.075, 0.095, 0.110, 0.125, 0.135, 0.145, 0.150, 0.130, 0.200, 0.170],
  sand:               [0.150, 0.180, 0.240, 0.290, 0.320, 0.340, 0.360, 0.380, 0.390, 0.360, 0.450, 0.380],
  rock:               [0.120, 0.130, 0.160, 0.190, 0.210, 0.220, 0.230, 0.240, 0.250, 0.230, 0.280, 0.240],
  urban:              [0.100, 0.100, 0.110, 0.120, 0.130, 0.150, 0.160, 0.170, 0.170, 0.150, 0.200, 0.180],
  asphalt:            [0.070, 0.070, 0.080, 0.090, 0.095, 0.100, 0.105, 0.110, 0.115, 0.100, 0.130, 0.120],
  concrete:           [0.220, 0.240, 0.270, 0.290, 0.300, 0.310, 0.310, 0.320, 0.320, 0.290, 0.330, 0.300],
  metalRoof:          [0.400, 0.450, 0.470, 0.480, 0.480, 0.480, 0.480, 0.480, 0.480, 0.420, 0.420, 0.350],
  coal:               [0.045, 0.045, 0.045, 0.048, 0.050, 0.052, 0.054, 0.056, 0.057, 0.050, 0.060, 0.060],
  burnt:              [0.040, 0.040, 0.050, 0.060, 0.070, 0.080, 0.090, 0.100, 0.100, 0.090, 0.160, 0.150],
  salt:               [0.450, 0.500, 0.520, 0.530, 0.530, 0.530, 0.520, 0.510, 0.500, 0.450, 0.400, 0.300],
  mud:                [0.060, 0.070, 0.090, 0.100, 0.110, 0.120, 0.120, 0.130, 0.130, 0.110, 0.100, 0.070],
} as const satisfies Record<string, Spectrum>;

export type MaterialName = keyof typeof MATERIALS;

/**
 * Top-of-atmosphere reflectance in the cirrus band (B10, 1375 nm), where the
 * surface is hidden by water vapour absorption and only high targets show.
 */
export const CIRRUS_REFLECTANCE: Partial<Record<MaterialName, number>> = { cloud: 0.12, snow: 0.004 };

/**
 * A linear atmosphere, rho_toa = path + transmittance * rho_surface, per band in
 * L1C_BANDS order: path radiance falls with wavelength (Rayleigh and aerosol
 * scattering), B09 sits in a water-vapour absorption band, B10 sees no surface.
 * Magnitudes are those of a mid-latitude summer, rural aerosol atmosphere.
 */
const PATH_REFLECTANCE = [0.110, 0.085, 0.060, 0.042, 0.036, 0.030, 0.027, 0.022, 0.020, 0.008, 0.0015, 0.006, 0.003];
const TRANSMITTANCE = [0.72, 0.78, 0.85, 0.89, 0.88, 0.91, 0.92, 0.93, 0.93, 0.40, 0, 0.94, 0.90];

export interface Atmosphere {
  /** Multiplies the path reflectance (aerosol load), ~0.7..1.4. */
  aerosol: number;
  /** Multiplies B09's transmittance (column water vapour), ~0.75..1.25. */
  waterVapour: number;
}

/**
 * The stored reflectance of a band as a linear function of the surface reflectance
 * (of the cirrus value for B10): offset + gain * surface.
 *
 * Level-1C is top of atmosphere. Level-2A is the surface itself, except B09: Sen2Cor
 * uses the water-vapour band to retrieve the vapour column and leaves it attenuated.
 */
export function bandTransform(band: BandName, level: 'L1C' | 'L2A', atmosphere: Atmosphere): { offset: number; gain: number } {
  const index = L1C_BANDS.indexOf(band);
  if (level === 'L2A') return { offset: 0, gain: band === 'B09' ? TRANSMITTANCE[index] * atmosphere.waterVapour * 1.6 : 1 };
  const offset = PATH_REFLECTANCE[index] * atmosphere.aerosol;
  if (band === 'B10') return { offset, gain: 1 };
  return { offset, gain: band === 'B09' ? TRANSMITTANCE[index] * atmosphere.waterVapour : TRANSMITTANCE[index] };
}

/** Sentinel-2 digital numbers: reflectance x 10000 (no +1000 offset: pre-2022 processing baselines). */
export const QUANTIFICATION = 10000;
