/**
 * The leaderboard's view model, as types: what leaderboard.ts builds from records and
 * significance.ts adds from the saved logits, and what pages and charts read.
 */
import type { Interval, PairedComparison } from '../metrics/index.ts';
import type { LoadedRecord, ResultRecord } from '../records/records.ts';

export const TASKS = ['classification', 'retrieval'] as const;
export type AxisTask = (typeof TASKS)[number];

/** How pages and charts name each task. */
export const TASK_TITLES: Record<AxisTask, string> = { classification: 'Classification', retrieval: 'Retrieval' };

/** The radar's metric for each (record task, axis task), by the reference's key names (metrics/). */
export const AXIS_METRICS: Record<ResultRecord['task'], Record<AxisTask, string>> = {
  'single-label': { classification: 'acc1', retrieval: 'mAP' },
  'multi-label': { classification: 'Average_class_accuracy', retrieval: 'Ave_mAP' },
};


export type ImageKind = 'multispectral' | 'rgb';

export interface Provenance {
  templates: string;
  bundleSha256: Record<string, string>;
  /** "image.onnx 0123456789ab, text.onnx ..." (12 hex digits per file); '' without hashes. */
  bundleText: string;
  commit: string | null;
  /** The commit's first 12 hex digits, or 'unknown'. */
  commitText: string;
  date: string;
  images: number;
  device: string;
  packageVersion: string;
  runId: string | null;
  path: string;
  /** One line for a title attribute. */
  summary: string;
}

export interface Entry {
  id: string;
  model: string;
  templates: string;
  /** The model name, plus the template set when the model appears under several. */
  label: string;
  /** label + " (demo)" for demo results: what charts print. */
  displayLabel: string;
  kind: ImageKind;
  /** Where `kind` came from: the record's provenance.image_kind, or a guess from the name. */
  kindSource: 'provenance' | 'name';
  demo: boolean;
  rank: number;
  /** Mean over the entry's axes of its score (fraction, oriented so higher is better). */
  meanScore: number | null;
  axesCovered: number;
}

export interface Benchmark {
  dataset: string;
  label: string;
  slug: string;
  task: ResultRecord['task'];
  demo: boolean;
  classes: string[];
  /** Metric keys present in this benchmark's records, in METRICS order. */
  metrics: string[];
}

export interface Axis {
  id: string;
  dataset: string;
  datasetLabel: string;
  task: AxisTask;
  metric: string;
  higherIsBetter: boolean;
  demo: boolean;
  /** Raw extremes over the entries (fractions); null when no entry has a value. */
  min: number | null;
  max: number | null;
}

export interface Score {
  value: number | null;
  rank: number | null;
  /** Smoothed min-max radius in (0, 1]; null without a value. */
  scaled: number | null;
}

export interface Cell {
  record: ResultRecord;
  provenance: Provenance;
}

export interface HeadlineBenchmark {
  dataset: string;
  datasetLabel: string;
  leaderId: string;
  runnerUpId: string;
  leader: string;
  leaderScore: number;
  runnerUp: string;
  runnerUpScore: number;
  /** leader - runner-up, in percentage points (always >= 0). */
  gap: number;
}

export interface Headline {
  task: AxisTask;
  benchmarks: HeadlineBenchmark[];
  /** Mean of the gaps in percentage points; null with fewer than two entries. */
  meanGap: number | null;
  /** The entry that leads on every benchmark of this task, if one does. */
  leaderEverywhere: string | null;
  /** The top-ranked entry's mean (own score - best other score), in points; can be negative. */
  topEntry: { id: string; label: string; meanGap: number; opponents: { dataset: string; entryId: string }[] } | null;
}

export interface Baseline {
  entryId: string;
  label: string;
  reason: 'flag' | 'best-rgb' | 'top-ranked';
}

export interface Leaderboard {
  entries: Entry[];
  benchmarks: Benchmark[];
  axes: Axis[];
  /** scores[entryId][axisId] */
  scores: Record<string, Record<string, Score>>;
  /** cells[entryId][dataset] */
  cells: Record<string, Record<string, Cell>>;
  headlines: Headline[];
  /** Benchmarks the headlines average over (demo ones only if nothing else exists). */
  headlineDatasets: string[];
  baseline: Baseline | null;
  /** gaps[entryId][axisId]: entry - baseline in percentage points, oriented so positive is better. */
  gaps: Record<string, Record<string, number | null>>;
  epsilon: number;
  recordsRead: number;
  superseded: LoadedRecord[];
  /** Bootstrap intervals, paired comparisons and ties (significance.ts); absent until computed. */
  significance?: Significance;
}

export interface LeaderboardOptions {
  kept: readonly LoadedRecord[];
  superseded?: readonly LoadedRecord[];
  recordsRead?: number;
  baseline?: string;
  epsilon?: number;
}

/** One entry against the best entry of an axis (or of the mean), on the same resamples. */
export interface BestComparison {
  /** best - entry, as a fraction, oriented so that positive means the best is better. */
  comparison: PairedComparison;
  /** Holm-adjusted over the axis's comparisons with the best. */
  adjustedP: number;
  /** Not significantly worse than the best at `alpha` after the adjustment. */
  tied: boolean;
}

export interface AxisSignificance {
  /** The best entry on the axis (rank 1, first in entry order among equals). */
  bestId: string | null;
  /** Per entry: its 95% interval (fractions), from the record's `ci` or the report's resamples. */
  intervals: Record<string, Interval>;
  /** Per entry other than the best, whose images match the best's: the comparison. */
  comparisons: Record<string, BestComparison>;
}

/** A headline gain (leader - other, fraction) with its paired interval and p-value. */
export interface GainSignificance {
  comparison: PairedComparison;
}

export interface Significance {
  resamples: number;
  seed: number;
  level: number;
  alpha: number;
  /** Per axis id. */
  axes: Record<string, AxisSignificance>;
  /** The mean column: stratified bootstrap over the benchmarks (one stratum per benchmark). */
  mean: AxisSignificance;
  /** Per headline task: per benchmark dataset the leader's gain, and the mean gain. */
  headlines: Record<string, { benchmarks: Record<string, GainSignificance>; meanGap: GainSignificance | null; topEntry: GainSignificance | null }>;
  /** Datasets whose records had saved logits for at least one entry. */
  datasetsWithLogits: string[];
}
