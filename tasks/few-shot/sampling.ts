/**
 * Which images a probe trains on, as seeded, reproducible draws: the same pool, budgets
 * and seed give the same images on every machine and in every run.
 *
 * - Every random choice comes from its own stream, named by what it is for, the seed
 *   and (per class) the class: `randomStream('shots', seed, class)`. Adding a budget,
 *   a seed or a class therefore never changes another draw.
 * - Draws are nested: for one seed, a budget's images are the first ones of a seeded
 *   permutation (per class for `per-class`, of the whole pool for `total`), so the
 *   5-shot draw contains the 1-shot draw. The curve then measures adding labels, not
 *   re-drawing them, and the images to encode are those of the largest budget per seed.
 * - `all` is the whole pool, one draw (seed 0): it does not vary with the seed.
 */
import { ErrorCode, UserError } from '../../core/errors.ts';
import type { Budget, BudgetKind, Draw, LabelKind } from './types.ts';

/** A small seeded generator (mulberry32): 32-bit state, uniform floats in [0, 1). */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A uniform integer in [0, count). */
  below(count: number): number {
    return Math.floor(this.next() * count);
  }
}

/** The stream for a purpose: FNV-1a of the key's text seeds the generator. */
export function randomStream(...key: (string | number)[]): Random {
  let hash = 0x811c9dc5;
  for (const character of Buffer.from(key.join('/'), 'utf8')) hash = Math.imul(hash ^ character, 0x01000193) >>> 0;
  return new Random(hash);
}

/** `values` in a seeded random order (Fisher-Yates). */
export function shuffle(values: readonly number[], random: Random): number[] {
  const out = [...values];
  for (let index = out.length - 1; index > 0; index--) {
    const other = random.below(index + 1);
    [out[index], out[other]] = [out[other], out[index]];
  }
  return out;
}

const ascending = (values: Iterable<number>): Int32Array => Int32Array.from(values).sort();

/** Pool indices of each class (single-label: the image's one class). */
export function indicesByClass(labels: readonly (readonly number[])[], classCount: number): number[][] {
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  labels.forEach((imageLabels, index) => {
    for (const label of imageLabels) {
      if (!Number.isInteger(label) || label < 0 || label >= classCount) throw new RangeError(`image ${index} has class ${label}, outside 0..${classCount - 1}`);
      byClass[label].push(index);
    }
  });
  return byClass;
}

export interface PlanOptions {
  /** Class indices of every image of the training pool (one each for single-label). */
  labels: readonly (readonly number[])[];
  classCount: number;
  labelKind: LabelKind;
  budgets: readonly Budget[];
  budgetKind: BudgetKind;
  /** How many draws per budget (seeds 0..seeds-1). */
  seeds: number;
}

/** One draw per (budget, seed), budgets ascending with `all` last, then seeds ascending. */
export function planDraws(options: PlanOptions): Draw[] {
  const { labels, classCount, budgetKind, seeds } = options;
  if (!Number.isInteger(seeds) || seeds < 1) throw new UserError(ErrorCode.usage, `--seeds must be a whole number >= 1, got ${seeds}`);
  if (budgetKind === 'per-class' && options.labelKind === 'multi-label') {
    throw new UserError(ErrorCode.usage, '--shots draws images per class and needs single-label data; use --labels (images in total) for multi-label datasets');
  }
  for (const budget of options.budgets) {
    if (budget !== 'all' && (!Number.isInteger(budget) || budget < 1)) {
      throw new UserError(ErrorCode.usage, `${budgetKind === 'per-class' ? '--shots' : '--labels'}: budgets are whole numbers >= 1 or "all", got ${budget}`);
    }
  }
  if (labels.length === 0) throw new UserError(ErrorCode.datasetInvalid, 'the training split has no images to draw from');
  const numeric = [...new Set(options.budgets.filter((budget): budget is number => budget !== 'all'))].sort((a, b) => a - b);
  const draws: Draw[] = [];
  const byClass = indicesByClass(labels, classCount);
  for (const budget of numeric) {
    for (let seed = 0; seed < seeds; seed++) {
      if (budgetKind === 'per-class') {
        const chosen = byClass.flatMap((members, classIndex) => shuffle(members, randomStream('shots', seed, classIndex)).slice(0, budget));
        draws.push({ budget, budgetKind, seed, trainIndices: ascending(chosen), capped: byClass.some((members) => members.length < budget) });
      } else {
        const all = Array.from({ length: labels.length }, (_, index) => index);
        const chosen = shuffle(all, randomStream('labels', seed)).slice(0, budget);
        draws.push({ budget, budgetKind, seed, trainIndices: ascending(chosen), capped: budget > labels.length });
      }
    }
  }
  if (options.budgets.includes('all')) {
    draws.push({ budget: 'all', budgetKind, seed: 0, trainIndices: ascending(labels.keys()), capped: false });
  }
  return draws;
}

/** The union of the draws' training images, ascending: what must be embedded. */
export function neededIndices(draws: readonly Draw[]): Int32Array {
  const needed = new Set<number>();
  for (const draw of draws) for (const index of draw.trainIndices) needed.add(index);
  return ascending(needed);
}

/** How many of `count` images go to the held-out side: about `fraction`, >= 1 and leaving >= 1 (none of a single image). */
function heldOutCount(count: number, fraction: number): number {
  if (count < 2) return 0;
  return Math.min(count - 1, Math.max(1, Math.round(count * fraction)));
}

export interface SplitOptions {
  labels: readonly (readonly number[])[];
  classCount: number;
  labelKind: LabelKind;
  /** Share of the images held out (0.2 = an 80/20 split). */
  fraction: number;
  /** Names the stream, so that different uses draw independently. */
  purpose: string;
  seed: number;
}

/**
 * A seeded split into kept and held-out indices (both ascending). Single-label:
 * stratified, every class with >= 2 images gives about `fraction` of them (at least 1)
 * and keeps at least 1; multi-label: `fraction` of all images at random.
 */
export function seededSplit(options: SplitOptions): { kept: Int32Array; heldOut: Int32Array } {
  const { labels, fraction, purpose, seed } = options;
  const held: number[] = [];
  if (options.labelKind === 'single-label') {
    indicesByClass(labels, options.classCount).forEach((members, classIndex) => {
      held.push(...shuffle(members, randomStream(purpose, seed, classIndex)).slice(0, heldOutCount(members.length, fraction)));
    });
  } else {
    const all = Array.from({ length: labels.length }, (_, index) => index);
    held.push(...shuffle(all, randomStream(purpose, seed)).slice(0, heldOutCount(labels.length, fraction)));
  }
  const heldSet = new Set(held);
  return { kept: ascending([...labels.keys()].filter((index) => !heldSet.has(index))), heldOut: ascending(held) };
}

export const DEFAULT_TEST_FRACTION = 0.2;

/**
 * The split a dataset without split files gets: a seeded, stratified 80/20 split of
 * its images (indices into its listing). Record `{ kind: 'seeded', seed, fraction }`.
 */
export function trainTestSplit(labels: readonly (readonly number[])[], classCount: number, labelKind: LabelKind, seed = 0): { train: Int32Array; test: Int32Array } {
  const { kept, heldOut } = seededSplit({ labels, classCount, labelKind, fraction: DEFAULT_TEST_FRACTION, purpose: 'split', seed });
  return { train: kept, test: heldOut };
}
