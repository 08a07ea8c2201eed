/**
 * Steps 5 and 6 of the view model (leaderboard.ts): the headline gains per task, and
 * the baseline with every entry's gap to it.
 */
import { unknownNameError } from '../core/errors.ts';
import type { Axis, Baseline, Benchmark, Entry, Headline, HeadlineBenchmark, Leaderboard, Score } from './board-types.ts';
import { TASKS } from './board-types.ts';
import { dictionary, oriented } from './values.ts';

type Scores = Record<string, Record<string, Score>>;

/** Benchmarks the headlines average over: the real ones, the demo ones only when there is nothing else. */
export function headlineDatasets(benchmarks: readonly Benchmark[]): string[] {
  const real = benchmarks.filter((benchmark) => !benchmark.demo).map((benchmark) => benchmark.dataset);
  return real.length ? real : benchmarks.map((benchmark) => benchmark.dataset);
}

/** Per task: mean over the headline benchmarks of (best score - best other score). */
export function buildHeadlines(entries: readonly Entry[], axes: readonly Axis[], scores: Scores, datasets: readonly string[]): Headline[] {
  const labelOf = new Map(entries.map((entry) => [entry.id, entry.label]));
  return TASKS.map((task) => {
    const taskAxes = axes.filter((axis) => axis.task === task && datasets.includes(axis.dataset));
    const perBenchmark: HeadlineBenchmark[] = [];
    const topGaps: number[] = [];
    const opponents: { dataset: string; entryId: string }[] = [];
    const top = entries[0];
    for (const axis of taskAxes) {
      const ranked = entries
        .map((entry) => ({ entry, value: scores[entry.id][axis.id].value }))
        .filter((item): item is { entry: Entry; value: number } => item.value !== null)
        .sort((a, b) => oriented(b.value, axis) - oriented(a.value, axis) || a.entry.rank - b.entry.rank);
      if (ranked.length < 2) continue;
      const [leader, runnerUp] = ranked;
      perBenchmark.push({
        dataset: axis.dataset,
        datasetLabel: axis.datasetLabel,
        leaderId: leader.entry.id,
        runnerUpId: runnerUp.entry.id,
        leader: labelOf.get(leader.entry.id)!,
        leaderScore: leader.value,
        runnerUp: labelOf.get(runnerUp.entry.id)!,
        runnerUpScore: runnerUp.value,
        gap: 100 * (oriented(leader.value, axis) - oriented(runnerUp.value, axis)),
      });
      const topValue = scores[top.id][axis.id].value;
      const bestOther = ranked.find((item) => item.entry.id !== top.id);
      if (topValue !== null && bestOther) {
        topGaps.push(100 * (oriented(topValue, axis) - oriented(bestOther.value, axis)));
        opponents.push({ dataset: axis.dataset, entryId: bestOther.entry.id });
      }
    }
    const leaders = new Set(perBenchmark.map((item) => item.leader));
    return {
      task,
      benchmarks: perBenchmark,
      meanGap: perBenchmark.length ? perBenchmark.reduce((sum, item) => sum + item.gap, 0) / perBenchmark.length : null,
      leaderEverywhere: leaders.size === 1 && perBenchmark.length === taskAxes.length ? [...leaders][0] : null,
      topEntry: topGaps.length && top ? { id: top.id, label: top.label, meanGap: topGaps.reduce((a, b) => a + b, 0) / topGaps.length, opponents } : null,
    };
  });
}

/**
 * `--baseline NAME` matches an entry label, else a model name with one entry; without
 * it the best-ranked RGB entry is the baseline, else (no RGB model) the top entry.
 */
export function chooseBaseline(entries: readonly Entry[], name: string | undefined): Baseline | null {
  if (entries.length === 0) return null;
  if (name !== undefined) {
    const match = entries.find((entry) => entry.label === name) ?? entries.find((entry) => entry.model === name);
    if (!match) throw unknownNameError('baseline model', name, entries.map((entry) => entry.label));
    return { entryId: match.id, label: match.label, reason: 'flag' };
  }
  const rgb = entries.find((entry) => entry.kind === 'rgb');
  if (rgb) return { entryId: rgb.id, label: rgb.label, reason: 'best-rgb' };
  return { entryId: entries[0].id, label: entries[0].label, reason: 'top-ranked' };
}

/** Every entry's gap to the baseline per axis, in points, positive = better. */
export function baselineGaps(entries: readonly Entry[], axes: readonly Axis[], scores: Scores, baseline: Baseline | null): Leaderboard['gaps'] {
  const gaps: Leaderboard['gaps'] = dictionary();
  for (const entry of entries) {
    gaps[entry.id] = dictionary();
    for (const axis of axes) {
      const value = scores[entry.id][axis.id].value;
      const reference = baseline ? scores[baseline.entryId][axis.id].value : null;
      gaps[entry.id][axis.id] = value === null || reference === null ? null : 100 * (oriented(value, axis) - oriented(reference, axis));
    }
  }
  return gaps;
}
