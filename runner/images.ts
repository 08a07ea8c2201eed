/**
 * A dataset's images as the tasks see them, and the items behind what they ask for:
 *
 * 1. the pools: the listing, and (only when some task uses them) the split files, as the
 *    dataset module reads them (datasets/splits.ts); a pool made of listed images knows
 *    its labels, one listed on demand (BigEarthNet's train and val csvs) does not;
 * 2. each task's plan: which positions of which pools it needs (tasks/task.ts);
 * 3. the items behind those positions: listing items keep their listing index, images
 *    of on-demand pools are listed now (each once, however many tasks ask) and appended;
 *    `encode` is the set of items to encode, ascending, so that a run that needs the whole
 *    listing encodes it in listing order, exactly as before tasks could choose.
 */
import { ErrorCode, UserError } from '../core/errors.ts';
import type { DatasetSplits, SplitName } from '../datasets/splits.ts';
import type { DatasetItem, DatasetListing } from '../datasets/types.ts';
import type { EvaluationTask, ImageRequest, TaskImages, TaskOptions, TaskPlan, TaskPool } from '../tasks/index.ts';

export interface PlannedDataset {
  plans: { task: EvaluationTask; plan: TaskPlan }[];
  /** The listing's items (index = listing index), then the images listed on demand. */
  items: DatasetItem[];
  /** Per plan, per request: the item index of each position (-1: skipped while listing). */
  itemsOf: Int32Array[][];
  /** Item indices to encode, ascending. */
  encode: number[];
  /** Images skipped while listing on demand (--skip-invalid). */
  skipped: { file: string; reason: string }[];
}

export interface PlanDatasetOptions {
  tasks: readonly EvaluationTask[];
  taskOptions: TaskOptions;
  /** The dataset's split files (module.splits); absent: none. */
  splitsOf?: (listing: DatasetListing) => Promise<DatasetSplits>;
  skipInvalid: boolean;
}

function taskImages(listing: DatasetListing, splits: DatasetSplits): TaskImages {
  const labelsOf = (indices: Int32Array) => Array.from(indices, (index) => listing.items[index].labels);
  const pools: Partial<Record<SplitName, TaskPool>> = {};
  for (const [name, pool] of Object.entries(splits) as [SplitName, NonNullable<DatasetSplits[SplitName]>][]) {
    pools[name] = { size: pool.size, source: pool.file, ...(pool.indices ? { labels: labelsOf(pool.indices) } : {}) };
  }
  return {
    dataset: listing.dataset,
    labelKind: listing.task,
    classes: listing.classes,
    root: listing.root,
    listing: { size: listing.items.length, labels: listing.items.map((item) => item.labels), source: listing.root },
    splits: pools,
  };
}

function checkPositions(request: ImageRequest, size: number, task: string): void {
  for (const position of request.positions) {
    if (!Number.isInteger(position) || position < 0 || position >= size) throw new RangeError(`${task}: position ${position} outside ${request.pool} (${size} images)`);
  }
}

/** Steps 1-3 for one dataset. */
export async function planDataset(listing: DatasetListing, options: PlanDatasetOptions): Promise<PlannedDataset> {
  // 1. Pools.
  // Split files are read only when a task uses them: a zero-shot run never trips on a bad one.
  const needSplits = options.tasks.some((task) => task.usesSplits(options.taskOptions));
  const splits = needSplits && options.splitsOf ? await options.splitsOf(listing) : {};
  const images = taskImages(listing, splits);
  // 2. Plans.
  const plans = options.tasks.map((task) => ({ task, plan: task.plan(images, options.taskOptions) }));
  // 3. Items.
  const items = [...listing.items];
  const skipped: PlannedDataset['skipped'] = [];
  const listedOnDemand = new Map<SplitName, Map<number, number>>();
  for (const { task, plan } of plans) {
    for (const request of plan.requests) {
      const size = request.pool === 'listing' ? listing.items.length : splits[request.pool]?.size;
      if (size === undefined) throw new RangeError(`${task.name}: asks for the ${request.pool} split, which ${listing.dataset} does not have`);
      checkPositions(request, size, task.name);
    }
  }
  for (const [name, pool] of Object.entries(splits) as [SplitName, NonNullable<DatasetSplits[SplitName]>][]) {
    if (pool.indices !== undefined) continue;
    if (pool.list === undefined) throw new RangeError(`${listing.dataset}: split ${name} has neither listing indices nor a lister`);
    const wanted = new Set<number>();
    for (const { plan } of plans) for (const request of plan.requests) if (request.pool === name) for (const position of request.positions) wanted.add(position);
    if (wanted.size === 0) continue;
    const positions = [...wanted].sort((a, b) => a - b);
    const listed = await pool.list(positions, { skipInvalid: options.skipInvalid });
    skipped.push(...listed.skipped);
    const itemOf = new Map<number, number>();
    positions.forEach((position, index) => {
      const item = listed.items[index];
      if (item === undefined) {
        itemOf.set(position, -1);
        return;
      }
      itemOf.set(position, items.length);
      items.push(item);
    });
    listedOnDemand.set(name, itemOf);
  }
  const itemsOf = plans.map(({ plan }) => plan.requests.map((request) => {
    if (request.pool === 'listing') return Int32Array.from(request.positions);
    const pool = splits[request.pool]!;
    if (pool.indices !== undefined) return Int32Array.from(request.positions, (position) => pool.indices![position]);
    const itemOf = listedOnDemand.get(request.pool)!;
    return Int32Array.from(request.positions, (position) => itemOf.get(position)!);
  }));
  const wanted = new Set<number>();
  for (const perRequest of itemsOf) for (const indices of perRequest) for (const index of indices) if (index >= 0) wanted.add(index);
  if (wanted.size === 0) throw new UserError(ErrorCode.datasetInvalid, `${listing.root}: no image to evaluate`, listing.root);
  return { plans, items, itemsOf, encode: [...wanted].sort((a, b) => a - b), skipped };
}
