/**
 * Saved logits -> the leaderboard's uncertainty: intervals, paired comparisons with the
 * best, ties, the mean's stratified interval and the headline gains' intervals
 * (board.significance). Pure: the arrays are read by the caller (records/arrays.ts).
 *
 * 1. Per benchmark, every entry whose record has saved logits gets its metrics'
 *    bootstrap distributions (metrics/bootstrap.ts) on the same resamples: the seed of
 *    the options and the dataset's name as stream, as `evaluate` draws them for the
 *    records' `ci`. Two entries are paired when their records list the same image
 *    ids in the same order.
 * 2. Per axis: each entry's interval (the record's `ci`, else from step 1), and the
 *    best entry against every entry paired with it: best - entry on the same
 *    resamples, p-values Holm-adjusted over the axis; an entry whose adjusted p is
 *    not below alpha (5%) is tied with the best.
 * 3. The mean column: per resample, the mean of the entry's axis scores. Benchmarks are
 *    resampled independently (one stream each), so this is a stratified bootstrap;
 *    compared with the top entry like an axis.
 * 4. Headlines: the leader's gain over the runner-up on every benchmark, the mean gain,
 *    and the top entry's mean gain over the best other entry, with paired intervals.
 */
import { dictionary } from './values.ts';
import {
  bootstrapDistributions, comparePaired, DEFAULT_LEVEL, holmAdjust, type Interval, meanOfDistributions, observedValues,
  percentileInterval, recordStatistic, streamOf,
} from '../metrics/index.ts';
import type { RecordArrays } from '../records/arrays.ts';
import type { Axis, AxisSignificance, BestComparison, GainSignificance, Leaderboard, Significance } from './board-types.ts';

export interface SignificanceOptions {
  resamples: number;
  seed: number;
  level?: number;
  /** Significance level of "tied" (after Holm); default 0.05. */
  alpha?: number;
}

/** One entry on one benchmark: its metrics per resample and on the test set. */
interface Sampled {
  distributions: Map<string, Float64Array>;
  observed: Map<string, number>;
  /** Entries with equal keys were scored on the same images in the same order. */
  images: string;
}

/** An axis's values oriented so that larger is better (as the leaderboard's mean takes them). */
interface Oriented {
  distribution: Float64Array;
  observed: number;
}

function orient(sampled: Sampled | undefined, axis: Pick<Axis, 'metric' | 'higherIsBetter'>): Oriented | null {
  const distribution = sampled?.distributions.get(axis.metric);
  const observed = sampled?.observed.get(axis.metric);
  if (!distribution || observed === undefined || Number.isNaN(observed)) return null;
  return axis.higherIsBetter ? { distribution, observed } : { distribution: distribution.map((value) => 1 - value), observed: 1 - observed };
}

/** Step 1 for one benchmark: entry id -> its sample (entries without logits left out). */
function sampleBenchmark(board: Leaderboard, dataset: string, arraysOf: (path: string) => RecordArrays | null, options: SignificanceOptions): Map<string, Sampled> {
  const groups = new Map<string, { entryIds: string[]; arrays: RecordArrays[] }>();
  for (const entry of board.entries) {
    const cell = board.cells[entry.id]?.[dataset];
    const arrays = cell ? arraysOf(cell.provenance.path) : null;
    if (!cell || !arrays) continue;
    // Without image ids two records cannot be shown to hold the same images: unpaired.
    const images = cell.record.images ? JSON.stringify(cell.record.images) : `unpaired:${cell.provenance.path}`;
    const group = groups.get(images) ?? { entryIds: [], arrays: [] };
    group.entryIds.push(entry.id);
    group.arrays.push(arrays);
    groups.set(images, group);
  }
  const sampled = new Map<string, Sampled>();
  for (const [images, group] of groups) {
    const task = board.cells[group.entryIds[0]][dataset].record.task;
    const statistics = group.arrays.map((arrays) => recordStatistic(task, arrays.logits, arrays.n, arrays.k, arrays.targets));
    const distributions = bootstrapDistributions(statistics, { resamples: options.resamples, seed: options.seed, stream: streamOf(dataset) });
    group.entryIds.forEach((entryId, index) => {
      const { keys } = statistics[index];
      const observed = observedValues(statistics[index]);
      sampled.set(entryId, {
        distributions: new Map(keys.map((key, keyIndex) => [key, distributions[index][keyIndex]])),
        observed: new Map(keys.map((key, keyIndex) => [key, observed[keyIndex]])),
        images,
      });
    });
  }
  return sampled;
}

/** The best against each candidate (oriented values), Holm-adjusted together. */
function compareWithBest(best: Oriented, candidates: { entryId: string; values: Oriented }[], level: number, alpha: number): Record<string, BestComparison> {
  const compared = candidates.flatMap(({ entryId, values }) => {
    const comparison = comparePaired(best.distribution, values.distribution, best.observed, values.observed, level);
    return comparison ? [{ entryId, comparison }] : [];
  });
  const adjusted = holmAdjust(compared.map(({ comparison }) => comparison.pValue));
  const out = dictionary<BestComparison>();
  compared.forEach(({ entryId, comparison }, index) => { out[entryId] = { comparison, adjustedP: adjusted[index], tied: adjusted[index] >= alpha }; });
  return out;
}

function gain(a: Oriented[] | null, b: Oriented[] | null, level: number): GainSignificance | null {
  if (!a || !b || a.length === 0 || a.length !== b.length) return null;
  const mean = (values: Oriented[]) => values.reduce((sum, value) => sum + value.observed, 0) / values.length;
  const comparison = comparePaired(
    meanOfDistributions(a.map((value) => value.distribution)), meanOfDistributions(b.map((value) => value.distribution)), mean(a), mean(b), level,
  );
  return comparison ? { comparison } : null;
}

export function computeSignificance(board: Leaderboard, arraysOf: (path: string) => RecordArrays | null, options: SignificanceOptions): Significance {
  const level = options.level ?? DEFAULT_LEVEL;
  const alpha = options.alpha ?? 0.05;

  // 1. Samples per benchmark.
  const samples = new Map(board.benchmarks.map((benchmark) => [benchmark.dataset, sampleBenchmark(board, benchmark.dataset, arraysOf, options)]));
  const sampleOf = (entryId: string, dataset: string) => samples.get(dataset)?.get(entryId);
  const paired = (a: string, b: string, dataset: string) => {
    const first = sampleOf(a, dataset);
    const second = sampleOf(b, dataset);
    return first !== undefined && second !== undefined && first.images === second.images;
  };
  const axisValues = (entryId: string, axis: Axis) => orient(sampleOf(entryId, axis.dataset), axis);

  // 2. Axes.
  const axes: Record<string, AxisSignificance> = dictionary();
  for (const axis of board.axes) {
    const intervals: Record<string, Interval> = dictionary();
    for (const entry of board.entries) {
      const recorded = board.cells[entry.id]?.[axis.dataset]?.record.ci?.[axis.metric];
      const distribution = sampleOf(entry.id, axis.dataset)?.distributions.get(axis.metric);
      const interval = Array.isArray(recorded) ? recorded : distribution ? percentileInterval(distribution, level) : null;
      if (interval) intervals[entry.id] = interval;
    }
    const bestId = board.entries.find((entry) => board.scores[entry.id][axis.id].rank === 1)?.id ?? null;
    const best = bestId ? axisValues(bestId, axis) : null;
    const candidates = board.entries
      .filter((entry) => bestId !== null && entry.id !== bestId && paired(bestId, entry.id, axis.dataset))
      .flatMap((entry) => {
        const values = axisValues(entry.id, axis);
        return values ? [{ entryId: entry.id, values }] : [];
      });
    axes[axis.id] = { bestId, intervals, comparisons: best ? compareWithBest(best, candidates, level, alpha) : dictionary<BestComparison>() };
  }

  // 3. The mean over each entry's axes, benchmarks resampled independently.
  const axesOf = (entryId: string) => board.axes.filter((axis) => board.scores[entryId][axis.id].value !== null);
  const meanValues = (entryId: string, axes: readonly Axis[]): Oriented | null => {
    const values = axes.map((axis) => axisValues(entryId, axis));
    if (values.length === 0 || values.some((value) => value === null)) return null;
    const present = values as Oriented[];
    return {
      distribution: meanOfDistributions(present.map((value) => value.distribution)),
      observed: board.entries.find((entry) => entry.id === entryId)!.meanScore!,
    };
  };
  const meanIntervals: Record<string, Interval> = dictionary();
  for (const entry of board.entries) {
    const values = meanValues(entry.id, axesOf(entry.id));
    const interval = values ? percentileInterval(values.distribution, level) : null;
    if (interval) meanIntervals[entry.id] = interval;
  }
  const top = board.entries[0];
  const topAxes = top ? axesOf(top.id) : [];
  const topMean = top ? meanValues(top.id, topAxes) : null;
  const sameAxes = (entryId: string) => {
    const own = axesOf(entryId);
    return own.length === topAxes.length && own.every((axis, index) => axis.id === topAxes[index].id && paired(top.id, entryId, axis.dataset));
  };
  const meanCandidates = board.entries.filter((entry) => entry !== top && sameAxes(entry.id)).flatMap((entry) => {
    const values = meanValues(entry.id, topAxes);
    return values ? [{ entryId: entry.id, values }] : [];
  });
  const mean: AxisSignificance = {
    bestId: top?.id ?? null,
    intervals: meanIntervals,
    comparisons: topMean ? compareWithBest(topMean, meanCandidates, level, alpha) : dictionary<BestComparison>(),
  };

  // 4. Headline gains.
  const axisOf = (dataset: string, task: string) => board.axes.find((axis) => axis.dataset === dataset && axis.task === task)!;
  const valuesOn = (pairs: { entryId: string; dataset: string; other: string }[], task: string, side: 'entry' | 'other'): Oriented[] | null => {
    const values = pairs.map(({ entryId, dataset, other }) => (paired(entryId, other, dataset) ? axisValues(side === 'entry' ? entryId : other, axisOf(dataset, task)) : null));
    return values.some((value) => value === null) ? null : (values as Oriented[]);
  };
  const headlines: Significance['headlines'] = dictionary();
  for (const headline of board.headlines) {
    const leads = headline.benchmarks.map((item) => ({ entryId: item.leaderId, dataset: item.dataset, other: item.runnerUpId }));
    const benchmarks: Record<string, GainSignificance> = dictionary();
    leads.forEach((lead) => {
      const significance = gain(valuesOn([lead], headline.task, 'entry'), valuesOn([lead], headline.task, 'other'), level);
      if (significance) benchmarks[lead.dataset] = significance;
    });
    const topPairs = headline.topEntry?.opponents.map(({ dataset, entryId }) => ({ entryId: headline.topEntry!.id, dataset, other: entryId })) ?? [];
    headlines[headline.task] = {
      benchmarks,
      meanGap: gain(valuesOn(leads, headline.task, 'entry'), valuesOn(leads, headline.task, 'other'), level),
      topEntry: gain(valuesOn(topPairs, headline.task, 'entry'), valuesOn(topPairs, headline.task, 'other'), level),
    };
  }

  return {
    resamples: options.resamples,
    seed: options.seed,
    level,
    alpha,
    axes,
    mean,
    headlines,
    datasetsWithLogits: [...samples].filter(([, sampled]) => sampled.size > 0).map(([dataset]) => dataset),
  };
}
