/**
 * What a few-shot run of one dataset trains and tests on, decided before anything is
 * encoded:
 *
 * 1. the split: `train` and `test` split files when the dataset has them, else a
 *    seeded, stratified 80/20 split of the listing (recorded as such);
 * 2. the budgets: `--shots` per class (single-label), `--labels` in total (multi-label,
 *    or single-label when --labels is given alone); a budget that would take every
 *    training image of every class is the same draw as `all` and is measured once as
 *    `all` (one draw, not one per seed);
 * 3. the draws (sampling.ts) over the training split;
 * 4. `val` (C chosen with `--probe-c auto`): the val split, a seeded sample of at most
 *    `valLimit` of its images;
 * 5. the requests: the test images, the union of the draws' training images, the val
 *    images - all that is encoded.
 */
import { ErrorCode, UserError } from '../../core/errors.ts';
import type { ImageRequest, PoolName, TaskImages, TaskPool } from '../task.ts';
import { DEFAULT_TEST_FRACTION, neededIndices, planDraws, randomStream, shuffle, trainTestSplit } from './sampling.ts';
import type { Budget, BudgetKind, Draw, FewShotSettings } from './types.ts';

/** How the train and test images were chosen, as the record states it. */
export type SplitDescription =
  | { kind: 'files'; train: string; test: string; val?: string; train_images: number; test_images: number; val_images?: number; val_of?: number }
  | { kind: 'seeded'; seed: number; test_fraction: number; of: string; train_images: number; test_images: number };

export interface FewShotPlan {
  budgetKind: BudgetKind;
  /** The budgets measured (after `all`-equivalent budgets were folded into `all`). */
  budgets: Budget[];
  /** Draws over the training set: `trainIndices` index `trainSet`. */
  draws: Draw[];
  /** Training set: positions in the train pool (`requests[1].pool`). */
  trainSet: Int32Array;
  /** Indices into `trainSet` of every image some draw uses, ascending (what `requests[1]` asks for). */
  neededTrain: Int32Array;
  /** [test, train, val?]: positions in their pools. */
  requests: ImageRequest[];
  split: SplitDescription;
  notes: string[];
}

const range = (count: number): Int32Array => Int32Array.from({ length: count }, (_, index) => index);

/** Step 1: the train and test pools and positions. */
function chooseSplit(images: TaskImages): { train: { pool: PoolName; set: Int32Array }; test: { pool: PoolName; set: Int32Array }; split: SplitDescription; notes: string[] } {
  const { train, test } = images.splits;
  if (train !== undefined) {
    if (test === undefined) {
      throw new UserError(ErrorCode.datasetInvalid, `${train.source}: a train split without a test split; add the test split file beside it (see DATASETS.md) or remove it for a seeded 80/20 split`, train.source);
    }
    if (train.size === 0 || test.size === 0) {
      const empty = train.size === 0 ? train : test;
      throw new UserError(ErrorCode.datasetInvalid, `${empty.source}: none of its images is in this run's listing; few-shot needs training and test images`, empty.source);
    }
    return {
      train: { pool: 'train', set: range(train.size) },
      test: { pool: 'test', set: range(test.size) },
      split: { kind: 'files', train: train.source, test: test.source, train_images: train.size, test_images: test.size },
      notes: [],
    };
  }
  const labels = images.listing.labels;
  if (labels === undefined) throw new RangeError('few-shot: the listing has no labels');
  const seed = 0;
  const { train: trainIndices, test: testIndices } = trainTestSplit(labels, images.classes.length, images.labelKind, seed);
  if (trainIndices.length === 0 || testIndices.length === 0) {
    throw new UserError(ErrorCode.datasetInvalid, `${images.root}: ${images.listing.size} image(s) are too few for a train/test split; few-shot needs at least two`, images.root);
  }
  const notes = test === undefined ? [] : [`no train split file: a seeded 80/20 split of the listing; ${test.source} is not used`];
  return {
    train: { pool: 'listing', set: trainIndices },
    test: { pool: 'listing', set: testIndices },
    split: { kind: 'seeded', seed, test_fraction: DEFAULT_TEST_FRACTION, of: images.listing.source, train_images: trainIndices.length, test_images: testIndices.length },
    notes,
  };
}

/** Step 2: budgets at least as large as every class (or the pool) fold into `all`. */
export function effectiveBudgets(requested: readonly Budget[], budgetKind: BudgetKind, classSizes: readonly number[], poolSize: number): { budgets: Budget[]; note?: string } {
  const numeric = [...new Set(requested.filter((budget): budget is number => budget !== 'all'))].sort((a, b) => a - b);
  const ceiling = budgetKind === 'per-class' ? Math.max(0, ...classSizes) : poolSize;
  const kept = numeric.filter((budget) => budget < ceiling);
  const folded = numeric.filter((budget) => budget >= ceiling);
  const budgets: Budget[] = [...kept, ...(folded.length > 0 || requested.includes('all') ? ['all' as const] : [])];
  if (folded.length === 0) return { budgets };
  const what = budgetKind === 'per-class' ? `per class: no class has more than ${ceiling} training images` : `in total: the training split has ${ceiling} images`;
  return { budgets, note: `${budgetKind === 'per-class' ? '--shots' : '--labels'} ${folded.join(', ')} ${what}, so they are the whole split, measured once as "all"` };
}

function classSizes(labels: readonly (readonly number[])[], classCount: number): number[] {
  const sizes = new Array<number>(classCount).fill(0);
  for (const imageLabels of labels) for (const label of imageLabels) sizes[label]++;
  return sizes;
}

/** Step 4: the val positions (a seeded sample of at most `settings.valLimit`), when C is chosen on val. */
function chooseVal(val: TaskPool | undefined, settings: FewShotSettings): { positions: Int32Array; of: number } | undefined {
  const choosesC = settings.C === 'auto' && settings.probes.includes('logreg');
  if (!choosesC || val === undefined || val.size === 0) return undefined;
  if (val.size <= settings.valLimit) return { positions: range(val.size), of: val.size };
  const sample = shuffle([...range(val.size)], randomStream('val', 0)).slice(0, settings.valLimit);
  return { positions: Int32Array.from(sample).sort(), of: val.size };
}

export function planFewShot(images: TaskImages, settings: FewShotSettings): FewShotPlan {
  // 1. Split.
  const { train, test, split, notes } = chooseSplit(images);
  const trainPool = train.pool === 'listing' ? images.listing : images.splits.train!;
  // 2. Budgets. Total budgets draw by position only, so a pool listed on demand (labels unknown yet) serves them.
  const budgetKind: BudgetKind = images.labelKind === 'multi-label' ? 'total' : settings.singleLabelBudget;
  const classCount = images.classes.length;
  const poolLabels = trainPool.labels;
  if (poolLabels === undefined && budgetKind === 'per-class') throw new RangeError('few-shot: per-class budgets need the training labels');
  const trainLabels = poolLabels === undefined ? Array.from(train.set, () => [] as number[]) : Array.from(train.set, (position) => poolLabels[position]);
  const requested = budgetKind === 'per-class' ? settings.shots : settings.labels;
  const { budgets, note } = effectiveBudgets(requested, budgetKind, classSizes(trainLabels, classCount), train.set.length);
  if (note) notes.push(note);
  // 3. Draws.
  const draws = planDraws({ labels: trainLabels, classCount, labelKind: images.labelKind, budgets, budgetKind, seeds: settings.seeds });
  const neededTrain = neededIndices(draws);
  // 4. Val.
  const val = chooseVal(images.splits.val, settings);
  if (val !== undefined && split.kind === 'files') {
    split.val = images.splits.val!.source;
    split.val_images = val.positions.length;
    if (val.of > val.positions.length) split.val_of = val.of;
  }
  // 5. Requests.
  const requests: ImageRequest[] = [
    { pool: test.pool, positions: test.set },
    { pool: train.pool, positions: Int32Array.from(neededTrain, (index) => train.set[index]) },
    ...(val ? [{ pool: 'val' as const, positions: val.positions }] : []),
  ];
  return { budgetKind, budgets, draws, trainSet: train.set, neededTrain, requests, split, notes };
}
