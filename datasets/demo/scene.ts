/**
 * Renders one synthetic scene to surface reflectance. A scene is a few regions
 * (the dominant cover and 1-3 others, each carved out of the frame by a shape:
 * blobs, a coastline, a river strip, a central facility core, whole field parcels);
 * each region is a recipe: a mixture of materials laid out by a pattern (smooth
 * patches or field parcels), a brightness texture, and optional objects (tanks,
 * barns, basins). Boundaries are softened so edge pixels mix their neighbours, and
 * every material's spectrum is jittered per scene (illumination, phenology).
 *
 *  1. carve the regions (region index per pixel, later regions over earlier ones);
 *  2. soften: per-region coverage = 3x3 box blur of its indicator;
 *  3. per region, material weights from its pattern, times its brightness texture,
 *     accumulated into 12 surface-reflectance planes (and the cirrus plane);
 *  4. objects drawn over their region with anti-aliased edges.
 */
import { boxBlur, fbmField, quantile } from './noise.ts';
import { avalanche, type Random } from '../../core/random.ts';
import { L2A_BANDS } from '../sentinel2.ts';
import { CIRRUS_REFLECTANCE, MATERIALS, type MaterialName } from './spectra.ts';

export interface Component {
  material: MaterialName;
  /** Mean share of the material inside its region (relative; normalised). */
  share: number;
}

export interface ObjectSpec {
  shape: 'disc' | 'rect';
  material: MaterialName;
  count: readonly [number, number];
  /** Radius (disc) or short side (rect), in pixels. */
  size: readonly [number, number];
  /** Long side / short side, for rects. */
  elongation?: readonly [number, number];
  /** A one-pixel rim of another material (tank walls, clarifier edges). */
  rim?: MaterialName;
  /** Place the objects side by side in a row with a common orientation (barns, tank farms). */
  rows?: boolean;
}

export interface Recipe {
  components: readonly Component[];
  /** 'mix': smooth patches of each material; 'parcels': each field parcel one material. */
  pattern: 'mix' | 'parcels';
  /** Feature size in pixels: noise scale (mix) or parcel width (parcels). */
  grain: number;
  /** Amplitude of the multiplicative brightness texture (0.1 = about +/-10%). */
  texture: number;
  objects?: readonly ObjectSpec[];
}

export type RegionShape = 'blob' | 'edge' | 'strip' | 'core' | 'parcels';

export interface RegionSpec {
  recipe: Recipe;
  /** Target share of the frame; the first region takes whatever the others leave. */
  fraction: number;
  shape: RegionShape;
}

export interface SceneSpec {
  width: number;
  height: number;
  regions: readonly RegionSpec[];
}

export interface Scene {
  width: number;
  height: number;
  /** Surface reflectance, one plane per L2A band. */
  reflectance: Float32Array[];
  /** TOA reflectance contributed in the cirrus band (B10). */
  cirrus: Float32Array;
  /** Share of the frame each region ended up covering, in spec order. */
  coverage: number[];
}

/** Per-scene spectra: each material's spectrum scaled by illumination and jittered smoothly across bands. */
function sceneSpectra(random: Random): (material: MaterialName) => Float32Array {
  const illumination = random.range(0.92, 1.08);
  const cache = new Map<MaterialName, Float32Array>();
  return (material) => {
    let spectrum = cache.get(material);
    if (!spectrum) {
      const overall = 1 + 0.06 * random.normal();
      spectrum = Float32Array.from(MATERIALS[material], (value) => Math.max(0, value * illumination * overall * (1 + 0.025 * random.normal())));
      cache.set(material, spectrum);
    }
    return spectrum;
  };
}

/** Field parcels: a rotated grid of columns of random width, each cut into rows of its own length. */
function parcelIds(width: number, height: number, grain: number, random: Random): Int32Array {
  const angle = random.range(-0.35, 0.35) + (random.next() < 0.5 ? 0 : Math.PI / 2);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const reach = Math.ceil(Math.hypot(width, height));
  const columnEdges: number[] = [-reach];
  while (columnEdges[columnEdges.length - 1] < reach) columnEdges.push(columnEdges[columnEdges.length - 1] + grain * random.range(0.6, 1.6));
  const rowLength = columnEdges.map(() => grain * random.range(0.8, 2.2));
  const rowOffset = columnEdges.map(() => random.range(0, 100));
  const ids = new Int32Array(width * height);
  const cx = width / 2;
  const cy = height / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x - cx) * cos + (y - cy) * sin;
      const v = -(x - cx) * sin + (y - cy) * cos;
      let column = 0;
      while (column < columnEdges.length - 2 && columnEdges[column + 1] <= u) column++;
      const row = Math.floor((v + reach + rowOffset[column]) / rowLength[column]);
      ids[y * width + x] = column * 4096 + row;
    }
  }
  return ids;
}

/** A score per pixel; the region takes the pixels whose score is in its top `fraction`. */
function shapeScore(shape: RegionShape, width: number, height: number, random: Random): Float32Array {
  const size = Math.max(width, height);
  const score = new Float32Array(width * height);
  const wobble = fbmField({ width, height, seed: random.seed(), scale: size / 2, octaves: 3 });
  if (shape === 'blob') return fbmField({ width, height, seed: random.seed(), scale: size / random.range(1.5, 3), octaves: 4 });
  if (shape === 'parcels') {
    const ids = parcelIds(width, height, size / random.range(3, 6), random);
    const salt = random.seed();
    for (let index = 0; index < score.length; index++) score[index] = avalanche(ids[index] ^ salt) / 0xffffffff;
    return score;
  }
  const angle = random.range(0, 2 * Math.PI);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const centreX = width * random.range(0.35, 0.65);
  const centreY = height * random.range(0.35, 0.65);
  const amplitude = size * random.range(0.05, 0.2);
  const period = size * random.range(0.8, 2);
  const phase = random.range(0, 2 * Math.PI);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = y * width + x;
      const u = (x - centreX) * cos + (y - centreY) * sin;
      const v = -(x - centreX) * sin + (y - centreY) * cos;
      if (shape === 'edge') score[index] = u / size + 0.15 * wobble[index];
      else if (shape === 'strip') score[index] = -Math.abs(v - amplitude * Math.sin((2 * Math.PI * u) / period + phase)) / size + 0.03 * wobble[index];
      else score[index] = -Math.hypot(x - centreX, y - centreY) / size + 0.12 * wobble[index];
    }
  }
  return score;
}

/** Step 1: region index per pixel. */
function carveRegions(spec: SceneSpec, random: Random): Uint8Array {
  const regionOf = new Uint8Array(spec.width * spec.height);
  spec.regions.forEach((region, index) => {
    if (index === 0) return;
    const score = shapeScore(region.shape, spec.width, spec.height, random);
    const threshold = quantile(score, 1 - region.fraction);
    for (let pixel = 0; pixel < score.length; pixel++) if (score[pixel] >= threshold) regionOf[pixel] = index;
  });
  return regionOf;
}

/** Step 3 helper: per-pixel weights of each component of a recipe (rows: components). */
function componentWeights(recipe: Recipe, width: number, height: number, random: Random): Float32Array[] {
  const total = recipe.components.reduce((sum, component) => sum + component.share, 0);
  const shares = recipe.components.map((component) => component.share / total);
  if (shares.length === 1) return [new Float32Array(width * height).fill(1)];
  if (recipe.pattern === 'parcels') {
    const ids = parcelIds(width, height, recipe.grain, random);
    const salt = random.seed();
    const weights = shares.map(() => new Float32Array(width * height));
    for (let pixel = 0; pixel < ids.length; pixel++) {
      let target = avalanche(ids[pixel] ^ salt) / 4294967296;
      let chosen = shares.length - 1;
      for (let component = 0; component < shares.length; component++) {
        target -= shares[component];
        if (target < 0) { chosen = component; break; }
      }
      weights[chosen][pixel] = 1;
    }
    return weights;
  }
  // Smooth patches: exp(sharpness * noise) keeps every material present somewhere
  // while letting each dominate its own patches.
  const fields = shares.map(() => fbmField({ width, height, seed: random.seed(), scale: recipe.grain, octaves: 3 }));
  const weights = shares.map(() => new Float32Array(width * height));
  for (let pixel = 0; pixel < width * height; pixel++) {
    let sum = 0;
    for (let component = 0; component < shares.length; component++) {
      const value = shares[component] * Math.exp(4 * fields[component][pixel]);
      weights[component][pixel] = value;
      sum += value;
    }
    for (let component = 0; component < shares.length; component++) weights[component][pixel] /= sum;
  }
  return weights;
}

/** Step 4 helper: coverage (0..1) of a disc or rotated rect over a pixel, 3x3 supersampled. */
function drawShape(target: { coverage: Float32Array; width: number; height: number }, shape: { kind: 'disc' | 'rect'; x: number; y: number; halfLong: number; halfShort: number; angle: number }): void {
  const { width, height, coverage } = target;
  const reach = Math.ceil(shape.halfLong + 1);
  const cos = Math.cos(shape.angle);
  const sin = Math.sin(shape.angle);
  for (let y = Math.max(0, Math.floor(shape.y - reach)); y <= Math.min(height - 1, Math.ceil(shape.y + reach)); y++) {
    for (let x = Math.max(0, Math.floor(shape.x - reach)); x <= Math.min(width - 1, Math.ceil(shape.x + reach)); x++) {
      let inside = 0;
      for (let sy = 0; sy < 3; sy++) {
        for (let sx = 0; sx < 3; sx++) {
          const dx = x + (sx + 0.5) / 3 - shape.x;
          const dy = y + (sy + 0.5) / 3 - shape.y;
          if (shape.kind === 'disc') {
            if (dx * dx + dy * dy <= shape.halfLong * shape.halfLong) inside++;
          } else {
            const u = dx * cos + dy * sin;
            const v = -dx * sin + dy * cos;
            if (Math.abs(u) <= shape.halfLong && Math.abs(v) <= shape.halfShort) inside++;
          }
        }
      }
      coverage[y * width + x] = Math.max(coverage[y * width + x], inside / 9);
    }
  }
}

function paint(scene: Scene, coverage: Float32Array, spectrum: Float32Array, cirrus: number): void {
  for (let pixel = 0; pixel < coverage.length; pixel++) {
    const alpha = coverage[pixel];
    if (alpha <= 0) continue;
    for (let band = 0; band < spectrum.length; band++) scene.reflectance[band][pixel] = (1 - alpha) * scene.reflectance[band][pixel] + alpha * spectrum[band];
    scene.cirrus[pixel] = (1 - alpha) * scene.cirrus[pixel] + alpha * cirrus;
  }
}

function drawObjects(scene: Scene, object: ObjectSpec, regionPixels: number[], spectra: (material: MaterialName) => Float32Array, random: Random): void {
  if (regionPixels.length === 0) return;
  const { width, height } = scene;
  const count = random.integer(object.count[0], object.count[1]);
  const angle = random.range(0, Math.PI);
  const start = regionPixels[random.integer(0, regionPixels.length - 1)];
  const layer = { coverage: new Float32Array(width * height), width, height };
  const inner = { coverage: new Float32Array(width * height), width, height };
  const size = random.range(object.size[0], object.size[1]);
  for (let index = 0; index < count; index++) {
    const short = object.rows ? size : random.range(object.size[0], object.size[1]);
    const long = object.shape === 'rect' ? short * random.range(object.elongation?.[0] ?? 1, object.elongation?.[1] ?? 2) : short;
    let x: number;
    let y: number;
    if (object.rows) {
      // Side by side along the short axis, starting from one point of the region.
      const step = object.shape === 'disc' ? 2.3 * short : 2.2 * short;
      x = (start % width) + 0.5 - Math.sin(angle) * step * index;
      y = Math.floor(start / width) + 0.5 + Math.cos(angle) * step * index;
    } else {
      const pixel = regionPixels[random.integer(0, regionPixels.length - 1)];
      x = (pixel % width) + random.next();
      y = Math.floor(pixel / width) + random.next();
    }
    const shapeAngle = object.rows ? angle : random.range(0, Math.PI);
    const halfLong = object.shape === 'disc' ? short : long / 2;
    const halfShort = object.shape === 'disc' ? short : short / 2;
    drawShape(layer, { kind: object.shape, x, y, halfLong, halfShort, angle: shapeAngle });
    if (object.rim) drawShape(inner, { kind: object.shape, x, y, halfLong: Math.max(0.3, halfLong - 1), halfShort: Math.max(0.3, halfShort - 1), angle: shapeAngle });
  }
  if (object.rim) {
    paint(scene, layer.coverage, spectra(object.rim), CIRRUS_REFLECTANCE[object.rim] ?? 0);
    paint(scene, inner.coverage, spectra(object.material), CIRRUS_REFLECTANCE[object.material] ?? 0);
  } else {
    paint(scene, layer.coverage, spectra(object.material), CIRRUS_REFLECTANCE[object.material] ?? 0);
  }
}

export function renderScene(spec: SceneSpec, random: Random): Scene {
  const { width, height } = spec;
  const pixels = width * height;
  const spectra = sceneSpectra(random);
  const scene: Scene = {
    width,
    height,
    reflectance: L2A_BANDS.map(() => new Float32Array(pixels)),
    cirrus: new Float32Array(pixels),
    coverage: [],
  };
  // Steps 1-2.
  const regionOf = carveRegions(spec, random);
  const coverages = spec.regions.map((_, region) => {
    const indicator = new Float32Array(pixels);
    for (let pixel = 0; pixel < pixels; pixel++) indicator[pixel] = regionOf[pixel] === region ? 1 : 0;
    return boxBlur(indicator, width, height, 1);
  });
  scene.coverage = coverages.map((coverage) => coverage.reduce((sum, value) => sum + value, 0) / pixels);
  // Step 3.
  spec.regions.forEach((region, regionIndex) => {
    const coverage = coverages[regionIndex];
    const weights = componentWeights(region.recipe, width, height, random);
    const spectraOfComponents = region.recipe.components.map((component) => spectra(component.material));
    const cirrusOfComponents = region.recipe.components.map((component) => CIRRUS_REFLECTANCE[component.material] ?? 0);
    const brightness = fbmField({ width, height, seed: random.seed(), scale: 4, octaves: 2 });
    for (let pixel = 0; pixel < pixels; pixel++) {
      const alpha = coverage[pixel];
      if (alpha <= 0) continue;
      const gain = alpha * (1 + region.recipe.texture * brightness[pixel]);
      for (let component = 0; component < weights.length; component++) {
        const weight = weights[component][pixel] * gain;
        if (weight < 1e-5) continue;
        const spectrum = spectraOfComponents[component];
        for (let band = 0; band < spectrum.length; band++) scene.reflectance[band][pixel] += weight * spectrum[band];
        scene.cirrus[pixel] += weight * cirrusOfComponents[component];
      }
    }
  });
  // Step 4.
  spec.regions.forEach((region, regionIndex) => {
    if (!region.recipe.objects) return;
    const regionPixels: number[] = [];
    for (let pixel = 0; pixel < pixels; pixel++) if (regionOf[pixel] === regionIndex) regionPixels.push(pixel);
    for (const object of region.recipe.objects) drawObjects(scene, object, regionPixels, spectra, random);
  });
  return scene;
}
