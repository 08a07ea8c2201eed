/**
 * The uncertainty on the pages, as plain strings (significance.ts computes it): a
 * score's interval, a model's comparison with the best, a headline gain's interval
 * and p-value, and the radar caption's sentence about leads that are not significant.
 */
import type { Interval } from '../metrics/index.ts';
import type { Axis, BestComparison, GainSignificance, Leaderboard } from './board-types.ts';
import { TASK_TITLES } from './board-types.ts';
import { points, pValueText } from './values.ts';

/** An entry's interval on an axis: the report's (record `ci` first), else the record's own `ci`. */
export function axisInterval(board: Leaderboard, entryId: string, axis: Axis): Interval | null {
  const computed = board.significance?.axes[axis.id]?.intervals[entryId];
  if (computed) return computed;
  const recorded = board.cells[entryId]?.[axis.dataset]?.record.ci?.[axis.metric];
  return Array.isArray(recorded) ? recorded : null;
}

/** A difference of fractions in signed points with its interval: "+1.20 [-0.40, +2.90] pp". */
export function differenceText(difference: number, interval: Interval): string {
  return `${points(100 * difference)} [${points(100 * interval[0])}, ${points(100 * interval[1])}] pp`;
}

/** The title line of a cell compared with the best: what the difference is and how sure. */
export function comparisonNote(bestLabel: string, compared: BestComparison, alpha: number): string {
  const { comparison, adjustedP } = compared;
  const verdict = compared.tied ? `tied with the best: not significant at ${100 * alpha}% after Holm` : `significantly below the best at ${100 * alpha}% after Holm`;
  return `${bestLabel} - this: ${differenceText(comparison.difference, comparison.interval)}, ${pValueText(comparison.pValue)}, Holm-adjusted ${pValueText(adjustedP)}; ${verdict}`;
}

/** A headline gain's interval and p-value, or empty strings without saved logits. */
export function gainTexts(gain: GainSignificance | null | undefined): { interval: string; p: string } {
  if (!gain) return { interval: '', p: '' };
  const [low, high] = gain.comparison.interval;
  return { interval: `[${points(100 * low)}, ${points(100 * high)}]`, p: pValueText(gain.comparison.pValue) };
}

/** The radar caption's sentence: on which axes the lead is not significant. */
export function radarSignificanceNote(board: Leaderboard): string {
  const significance = board.significance;
  if (!significance || significance.datasetsWithLogits.length === 0) {
    return 'Whether the leads are significant is not assessed: the records have no saved logits (npm run evaluate saves them unless --no-save-logits).';
  }
  const labelOf = new Map(board.entries.map((entry) => [entry.id, entry.label]));
  const weak: string[] = [];
  const unassessed: string[] = [];
  for (const axis of board.axes) {
    const name = `${axis.datasetLabel} ${TASK_TITLES[axis.task].toLowerCase()}`;
    const axisSignificance = significance.axes[axis.id];
    const compared = Object.entries(axisSignificance?.comparisons ?? {});
    const present = board.entries.filter((entry) => board.scores[entry.id][axis.id].value !== null).length;
    if (!axisSignificance?.bestId || (present > 1 && compared.length < present - 1)) {
      if (present > 1) unassessed.push(name);
      if (compared.length === 0) continue;
    }
    const tied = compared.filter(([, comparison]) => comparison.tied).map(([entryId]) => labelOf.get(entryId)!);
    if (tied.length > 0) weak.push(`${name} (${labelOf.get(axisSignificance.bestId!)} vs ${tied.join(', ')})`);
  }
  const method = `paired bootstrap, ${significance.resamples} resamples, Holm-corrected, ${100 * significance.alpha}%`;
  const parts = [weak.length > 0
    ? `Leads that are not significant (${method}): ${weak.join('; ')}.`
    : `Every lead that could be tested is significant (${method}).`];
  if (unassessed.length > 0) parts.push(`Not fully assessed (models without saved logits or with other images): ${unassessed.join('; ')}.`);
  return parts.join(' ');
}
