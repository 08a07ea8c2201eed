/**
 * Band-robustness conditions, as the command line names them. Each occurrence of --drop-bands or
 * --keep-bands is ONE condition whose commas list its bands (the one exception to the
 * list-flag rule: `--drop-bands B11,B12` drops both bands together); several
 * occurrences run several conditions in one pass. Named sets stand for their bands;
 * --band-sweep is every single-band drop plus the four named sets. Band names are
 * checked against the model's bands with a "did you mean".
 */
import { ErrorCode, UserError, unknownNameError } from '../core/errors.ts';
import { canonicalBandName } from '../datasets/sentinel2.ts';
import { FILL_POLICIES, fillPolicyOf, type FillPolicy } from './bands.ts';

/** Named band sets: what users have (10 m bands only, RGB+NIR) or lose (SWIR flagged). */
export const BAND_SETS = {
  rgb: { bands: ['B02', 'B03', 'B04'], use: 'keep' },
  '10m': { bands: ['B02', 'B03', 'B04', 'B08'], use: 'keep' },
  'red-edge': { bands: ['B05', 'B06', 'B07', 'B8A'], use: 'drop' },
  swir: { bands: ['B11', 'B12'], use: 'drop' },
} as const;

export interface ConditionRequest {
  kind: 'drop' | 'keep';
  /** As the user wrote them (band names or one named set). */
  bands: string[];
  /** The name the user gave (a named set), for labels. */
  label: string;
}

export interface BandCondition {
  /** Model bands that are absent, in the model's order. */
  dropped: string[];
  fill: FillPolicy;
  /** How the user named it: "drop B11,B12", "keep 10m". */
  label: string;
}

/** One condition per occurrence of the flag; the commas inside belong to that condition. */
export function conditionRequests(drop: readonly string[], keep: readonly string[], sweep: boolean): ConditionRequest[] {
  const parse = (kind: 'drop' | 'keep', value: string): ConditionRequest => {
    const bands = value.split(',').map((band) => band.trim()).filter((band) => band !== '');
    if (bands.length === 0) throw new UserError(ErrorCode.usage, `--${kind}-bands ${JSON.stringify(value)} names no band; pass band names (B11,B12) or a set (${Object.keys(BAND_SETS).join(', ')})`);
    return { kind, bands, label: `${kind} ${bands.join(',')}` };
  };
  const requests = [...drop.map((value) => parse('drop', value)), ...keep.map((value) => parse('keep', value))];
  if (sweep) {
    requests.push({ kind: 'drop', bands: ['*each*'], label: 'sweep' });
    for (const [name, set] of Object.entries(BAND_SETS)) requests.push({ kind: set.use, bands: [name], label: `${set.use} ${name}` });
  }
  return requests;
}

function resolveBands(request: ConditionRequest, modelBands: readonly string[]): string[] {
  const bands: string[] = [];
  for (const name of request.bands) {
    const set = (BAND_SETS as Record<string, { bands: readonly string[] }>)[name.toLowerCase()];
    if (set) {
      bands.push(...set.bands);
      continue;
    }
    const canonical = canonicalBandName(name);
    if (canonical === undefined || !modelBands.includes(canonical)) {
      throw unknownNameError('band', name, [...modelBands, ...Object.keys(BAND_SETS)]);
    }
    bands.push(canonical);
  }
  return [...new Set(bands)];
}

/** The conditions for a multispectral model with `modelBands` (its order). */
export function conditionsFor(requests: readonly ConditionRequest[], modelBands: readonly string[], fill: FillPolicy): BandCondition[] {
  const conditions: BandCondition[] = [];
  const add = (dropped: string[], label: string): void => {
    const ordered = modelBands.filter((band) => dropped.includes(band));
    if (ordered.length === 0) throw new UserError(ErrorCode.usage, `condition "${label}" drops none of the model's bands (${modelBands.join(' ')})`);
    if (ordered.length === modelBands.length) throw new UserError(ErrorCode.usage, `condition "${label}" leaves no band of ${modelBands.join(' ')}; keep at least one`);
    if (!conditions.some((known) => known.dropped.join() === ordered.join())) conditions.push({ dropped: ordered, fill, label });
  };
  for (const request of requests) {
    if (request.bands[0] === '*each*') {
      for (const band of modelBands) add([band], `drop ${band}`);
      continue;
    }
    const bands = resolveBands(request, modelBands);
    add(request.kind === 'drop' ? bands : modelBands.filter((band) => !bands.includes(band)), request.label);
  }
  return conditions;
}

export function fillFlag(value: string | undefined, fallback: FillPolicy): FillPolicy {
  if (value === undefined) return fallback;
  const policy = fillPolicyOf(value);
  if (policy === undefined) throw unknownNameError('fill policy', value, [...FILL_POLICIES, 'channel_mean', 'pixel_mean']);
  return policy;
}
