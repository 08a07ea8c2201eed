/**
 * The per-dataset preprocessing recipe, exactly as the reference harness applies it
 * (torchvision semantics, float32 arithmetic throughout):
 *
 * 1. Read: the dataset module decodes the item (BigEarthNet: GDAL-style bilinear
 *    of every band to 120x120, int32).
 * 2. Select the model's bands by Sentinel-2 name (RGB models: B04 B03 B02).
 * 3. To float32. RGB view: x / 2000 * 255 truncated to uint8 (clipped to 0..2000
 *    first; `referenceRgbWrap` keeps the reference's wrap-around), then / 255.
 * 4. Resize the shorter side to `size`, antialiased (torch's kernels, also when
 *    upsampling): the model's interpolation for ImageFolder datasets, the
 *    dataset's own for BigEarthNet (bilinear) and for every RGB view (bicubic).
 *    An axis already at its size is copied, as torch does.
 * 5. Centre crop to size x size (not for BigEarthNet's multispectral path).
 * 6. Normalise: (x - mean) / std per band, and write [C, size, size] into the batch.
 *
 * Steps 2-6 are `preprocessRaw`, a pure function, so a decoded image can feed
 * several models; `preprocessingKey` tells which models can share its output.
 */
import { createHash } from 'node:crypto';
import { fillMissingPlanes, type FillPolicy } from './bands.ts';
import { ErrorCode, UserError, shownPath } from '../core/errors.ts';
import type { DatasetModule, Interpolation, ReadOptions } from '../datasets/module.ts';
import { resolveDataset } from '../datasets/registry.ts';
import { resizeAntialiasedInto, type Planar } from './resample/torch.ts';
import { resizeShorterSideCenterCropInto } from './resample/torchvision.ts';
import { resizedShorterSide } from './resample/torchvision.ts';
import { missingBands, selectBands, sentinelBands } from '../datasets/sentinel2.ts';
import type { DatasetItem, RawImage } from '../datasets/types.ts';
import type { PreprocessSpec } from './spec.ts';

/** The RGB view's scale: the reference maps 0..2000 reflectance DNs onto 0..255. */
export const RGB_FULL_SCALE = 2000;

export interface PreprocessPlan {
  dataset: string;
  kind: PreprocessSpec['kind'];
  /** Sentinel-2 band names to read, in model input order. */
  bands: string[];
  size: number;
  interpolation: Interpolation;
  centerCrop: boolean;
  mean: Float32Array;
  std: Float32Array;
  rgbOverflow: 'clip' | 'wrap';
  /** Per model band, whether it is absent (not read, filled); undefined when all are present. */
  missing?: { flags: boolean[]; fill: FillPolicy };
}

/** The bands a plan reads from the files: the model's, less the missing ones. */
export function bandsToRead(plan: PreprocessPlan): string[] {
  return plan.missing ? plan.bands.filter((_, index) => !plan.missing!.flags[index]) : plan.bands;
}

/** A spec's missing bands as per-band flags, checked against its bands. */
export function missingOfSpec(spec: PreprocessSpec): PreprocessPlan['missing'] {
  if (!spec.missing || spec.missing.bands.length === 0) return undefined;
  if (spec.kind !== 'multispectral') throw new UserError(ErrorCode.usage, 'an RGB model has no multispectral bands to drop');
  const bands = sentinelBands(spec.bands);
  const absent = new Set(sentinelBands(spec.missing.bands));
  const unknown = [...absent].filter((band) => !bands.includes(band));
  if (unknown.length > 0) throw new UserError(ErrorCode.usage, `band(s) ${unknown.join(' ')} are not among the model's bands (${bands.join(' ')})`);
  const flags = bands.map((band) => absent.has(band));
  if (flags.every(Boolean)) throw new UserError(ErrorCode.usage, `the condition leaves no band of ${bands.join(' ')}; keep at least one`);
  return { flags, fill: spec.missing.fill };
}

const PLANS = new WeakMap<PreprocessSpec, Map<string, PreprocessPlan>>();

/** Checks a model's spec against a dataset and resolves the recipe. Memoised per spec object. */
export function planPreprocessing(dataset: string | DatasetModule, spec: PreprocessSpec): PreprocessPlan {
  const module = typeof dataset === 'string' ? resolveDataset(dataset).module : dataset;
  let byDataset = PLANS.get(spec);
  if (byDataset === undefined) {
    byDataset = new Map();
    PLANS.set(spec, byDataset);
  }
  const cached = byDataset.get(module.name);
  if (cached !== undefined) return cached;

  const bands = sentinelBands(spec.bands);
  if (!Number.isInteger(spec.size) || spec.size < 1) throw new UserError(ErrorCode.modelInput, `model input size ${spec.size} is not a positive integer`);
  if (spec.mean.length !== bands.length || spec.std.length !== bands.length) {
    throw new UserError(ErrorCode.modelInput, `model normalisation has ${spec.mean.length} means and ${spec.std.length} stds for ${bands.length} bands; expected one each per band`);
  }
  if (spec.kind === 'rgb' && bands.length !== 3) throw new UserError(ErrorCode.modelInput, `an RGB model reads 3 channels, the manifest lists ${spec.bands.join(' ')}`);
  const absent = missingOfSpec(spec);
  const missing = missingBands(module.bands, absent ? bands.filter((_, index) => !absent.flags[index]) : bands);
  if (missing.length > 0) {
    throw new UserError(ErrorCode.modelInput, `the model reads band${missing.length === 1 ? '' : 's'} ${missing.join(' ')}, which ${module.name} does not have (it has ${module.bands.join(' ')})`);
  }
  const resize = spec.kind === 'rgb' ? module.recipe.rgb : module.recipe.multispectral;
  const plan: PreprocessPlan = {
    dataset: module.name,
    kind: spec.kind,
    bands,
    size: spec.size,
    interpolation: resize.interpolation === 'model' ? spec.interpolation : resize.interpolation,
    centerCrop: resize.centerCrop,
    mean: Float32Array.from(spec.mean),
    std: Float32Array.from(spec.std),
    rgbOverflow: spec.referenceRgbWrap === true ? 'wrap' : 'clip',
    missing: absent,
  };
  byDataset.set(module.name, plan);
  return plan;
}

/** numpy's float32 -> uint8 cast on x86: truncate to int32 (out of range: INT_MIN), keep the low byte. */
function wrapToUint8(value: number): number {
  return value > -2147483649 && value < 2147483648 ? Math.trunc(value) & 0xff : 0;
}

/**
 * toFloatPlanes' buffer, reused while images keep their size (a dataset's usually do);
 * its planes live only during one preprocessRaw call.
 */
let planes = new Float32Array(0);

/** Missing bands' planes are filled after the present ones are converted. */
let filled = new Float32Array(0);

/** Steps 2-3: the selected bands as float32 planes [C, H, W]; missing bands filled. */
function toFloatPlanes(raw: RawImage, plan: PreprocessPlan, file: string): Planar {
  const selected = selectBands(raw, bandsToRead(plan), file);
  const pixels = raw.width * raw.height;
  const length = selected.data.length * pixels;
  if (planes.length !== length) planes = new Float32Array(length);
  const data = planes;
  if (plan.missing) {
    selected.data.forEach((band, channel) => data.subarray(channel * pixels, (channel + 1) * pixels).set(band));
    const total = plan.bands.length * pixels;
    if (filled.length !== total) filled = new Float32Array(total);
    fillMissingPlanes({ present: data, missing: plan.missing.flags, fill: plan.missing.fill, mean: plan.mean, pixels, out: filled });
    return { data: filled, channels: plan.bands.length, height: raw.height, width: raw.width };
  }
  selected.data.forEach((band, channel) => {
    const target = data.subarray(channel * pixels, (channel + 1) * pixels);
    if (plan.kind === 'multispectral') {
      target.set(band);
      return;
    }
    const fround = Math.fround;
    for (let index = 0; index < pixels; index++) {
      let value = fround(band[index]);
      if (plan.rgbOverflow === 'clip') value = Math.min(Math.max(value, 0), RGB_FULL_SCALE);
      const scaled = fround(fround(value / RGB_FULL_SCALE) * 255);
      const byte = plan.rgbOverflow === 'clip' ? Math.trunc(scaled) : wrapToUint8(scaled);
      target[index] = byte / 255; // stored as float32: the division rounds once, as torch's does
    }
  });
  return { data, channels: selected.data.length, height: raw.height, width: raw.width };
}

/** Steps 2-6 on a decoded image; writes channels * size * size floats at out[offset]. */
export function preprocessRaw(raw: RawImage, plan: PreprocessPlan, out: Float32Array, offset: number, file = 'image'): void {
  const image = toFloatPlanes(raw, plan, file);
  const size = plan.size;
  const pixels = size * size;
  if (offset < 0 || offset + image.channels * pixels > out.length) {
    throw new RangeError(`batch buffer of ${out.length} floats has no room for ${image.channels}x${size}x${size} at ${offset}`);
  }
  // Steps 4-6 straight into the batch: only the pixels the crop keeps are computed,
  // and each is normalised as it is written.
  const normalization = { mean: plan.mean, std: plan.std };
  if (plan.centerCrop) {
    resizeShorterSideCenterCropInto(image, size, plan.interpolation, out, offset, normalization);
  } else {
    const target = resizedShorterSide(image.height, image.width, size);
    if (target.height !== size || target.width !== size) {
      throw new UserError(ErrorCode.imageInvalid, `${shownPath(file)}: is ${raw.width}x${raw.height}; ${plan.dataset} resizes without a crop, so its images must be square`, file);
    }
    resizeAntialiasedInto(image, size, size, plan.interpolation, out, offset, normalization);
  }
}

/** Reads one listed item and writes its model input ([C, size, size]) at out[offset]. */
export async function prepareImage(dataset: string, item: DatasetItem, spec: PreprocessSpec, out: Float32Array, offset: number, read: Omit<ReadOptions, 'bands'> = {}): Promise<void> {
  const { module } = resolveDataset(dataset);
  const plan = planPreprocessing(module, spec);
  const raw = await module.read(item, { ...read, bands: bandsToRead(plan) });
  preprocessRaw(raw, plan, out, offset, item.files[0] ?? item.id);
}

/** A plain-JSON account of what prepareImage does, for the result record. */
export function describePreprocessing(dataset: string, spec: PreprocessSpec): Record<string, unknown> {
  const { module } = resolveDataset(dataset);
  const plan = planPreprocessing(module, spec);
  const steps: Record<string, unknown>[] = [{ op: 'select-bands', bands: bandsToRead(plan), by: 'name' }];
  if (plan.missing) steps.push({ op: 'fill-missing-bands', bands: plan.bands.filter((_, index) => plan.missing!.flags[index]), fill: plan.missing.fill, policy: 'AddMeanChannels at the band\'s own position' });
  if (plan.kind === 'rgb') {
    steps.push({
      op: 'rgb-to-uint8',
      formula: `trunc(x / ${RGB_FULL_SCALE} * 255)`,
      overflow: plan.rgbOverflow === 'clip' ? `clip x to 0..${RGB_FULL_SCALE} first` : 'wrap around (reference behaviour)',
    });
    steps.push({ op: 'to-float32', divide: 255 });
  } else {
    steps.push({ op: 'to-float32' });
  }
  steps.push({ op: 'resize-shorter-side', size: plan.size, interpolation: plan.interpolation, antialias: true, alignCorners: false, semantics: 'torchvision' });
  if (plan.centerCrop) steps.push({ op: 'center-crop', size: plan.size });
  steps.push({ op: 'normalize', mean: [...spec.mean], std: [...spec.std] });
  return {
    dataset: module.name,
    view: plan.kind,
    read: module.recipe.readStep,
    steps,
    output: { shape: [plan.bands.length, plan.size, plan.size], dtype: 'float32' },
  };
}

/** Models whose keys are equal get identical inputs from the same images. */
export function preprocessingKey(dataset: string, spec: PreprocessSpec): string {
  const description = describePreprocessing(dataset, spec);
  return `${description.dataset as string}/${createHash('sha256').update(JSON.stringify(description)).digest('hex').slice(0, 16)}`;
}
