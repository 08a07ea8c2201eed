/**
 * Records -> the leaderboard's view model: entries (a model under one template set),
 * benchmarks, the radar's axes with their ranges, ranks, the headline gains and the
 * gaps to a baseline. Pure: no files, no rendering. Charts and pages only read this.
 *
 * 1. One entry per (model, template set); the template set is shown only for models
 *    that appear under more than one.
 * 2. Two axes per benchmark: classification (acc1 / Average_class_accuracy) and
 *    retrieval (mAP / Ave_mAP), with their direction read from metrics/.
 * 3. Per axis: min, max, per-entry rank and the smoothed min-max radius (scaling.ts).
 * 4. Overall rank: entries with more axes first, then by mean axis score.
 * 5. Headlines, per task: mean over benchmarks of (best score - best other score).
 * 6. Baseline (given, else the best RGB entry) and every entry's gap to it.
 */
import { METRICS } from '../metrics/index.ts';
import { unknownNameError } from '../core/errors.ts';
import type { LoadedRecord, ResultRecord } from '../records/records.ts';
import { RADAR_EPSILON, smoothedMinMax } from './scaling.ts';

export const TASKS = ['classification', 'retrieval'] as const;
export type AxisTask = (typeof TASKS)[number];

/** How pages and charts name each task. */
export const TASK_TITLES: Record<AxisTask, string> = { classification: 'Classification', retrieval: 'Retrieval' };

/** The radar's metric for each (record task, axis task), by the reference's key names (metrics/). */
export const AXIS_METRICS: Record<ResultRecord['task'], Record<AxisTask, string>> = {
  'single-label': { classification: 'acc1', retrieval: 'mAP' },
  'multi-label': { classification: 'Average_class_accuracy', retrieval: 'Ave_mAP' },
};

/** The paper's benchmarks, in the order its radar places them; others follow by name. */
const KNOWN_BENCHMARKS: Record<string, string> = {
  EuroSAT_MS: 'EuroSAT',
  BigEarthNet_MS: 'BigEarthNet',
  METERML_MS: 'METER-ML',
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
  topEntry: { label: string; meanGap: number } | null;
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
}

export interface LeaderboardOptions {
  kept: readonly LoadedRecord[];
  superseded?: readonly LoadedRecord[];
  recordsRead?: number;
  baseline?: string;
  epsilon?: number;
}

export function higherIsBetter(metric: string): boolean {
  return METRICS[metric]?.higherIsBetter ?? true;
}

export function metricDescription(metric: string): string {
  return METRICS[metric]?.description ?? metric;
}

/** Sorts the names of `known` in its order, then every other name by name. */
function byKnownOrder(known: readonly string[]): (a: string, b: string) => number {
  const position = (name: string) => {
    const index = known.indexOf(name);
    return index < 0 ? known.length : index;
  };
  return (a, b) => position(a) - position(b) || a.localeCompare(b);
}

/** Display order of metric keys: METRICS' order, unknown keys after it by name. */
export function orderMetrics(keys: Iterable<string>): string[] {
  return [...new Set(keys)].sort(byKnownOrder(Object.keys(METRICS)));
}

/**
 * MS vs RGB: the evaluator writes `provenance.image_kind` from the bundle manifest.
 * Records without it (older runs, other tools) are guessed from the name: "MS" as a
 * separate token (Llama3-MS-CLIP) means multispectral, anything else RGB.
 */
export function imageKind(records: readonly ResultRecord[], model: string): { kind: ImageKind; source: Entry['kindSource'] } {
  for (const record of records) {
    const stated = record.provenance?.image_kind;
    if (stated === 'multispectral' || stated === 'rgb') return { kind: stated, source: 'provenance' };
  }
  return { kind: /(^|[^A-Za-z])MS([^A-Za-z]|$)/.test(model) ? 'multispectral' : 'rgb', source: 'name' };
}

function datasetLabel(dataset: string): string {
  return KNOWN_BENCHMARKS[dataset] ?? dataset;
}

const compareDatasets = byKnownOrder(Object.keys(KNOWN_BENCHMARKS));

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A metric value as a fraction, or null when absent or not a finite number. */
export function metricValue(record: ResultRecord, metric: string): number | null {
  return finiteOrNull(record.metrics[metric]);
}

/** A class's per-class accuracy or AP@100 as a fraction, or null when absent or not a finite number. */
export function perClassValue(record: ResultRecord, className: string, measure: 'accuracy' | 'ap'): number | null {
  return finiteOrNull(record.per_class?.[className]?.[measure]);
}

/** The best of some scores in a metric's direction, or null when there are none. */
export function bestValue(values: readonly (number | null)[], higher = true): number | null {
  const present = values.filter((value): value is number => value !== null);
  if (present.length === 0) return null;
  return higher ? Math.max(...present) : Math.min(...present);
}

/** Oriented so that larger is better. */
function oriented(value: number, axis: Pick<Axis, 'higherIsBetter'>): number {
  return axis.higherIsBetter ? value : -value;
}

function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

function provenanceOf(loaded: LoadedRecord): Provenance {
  const { record } = loaded;
  const provenance = record.provenance ?? ({} as ResultRecord['provenance']);
  const bundle = provenance.bundle_sha256 ?? {};
  const bundleText = Object.entries(bundle).map(([file, hash]) => `${file} ${shortHash(String(hash))}`).join(', ');
  const commit = provenance.git_commit ?? null;
  const commitText = commit ? shortHash(commit) : 'unknown';
  const summary = [
    `templates: ${record.templates}`,
    `bundle: ${bundleText || 'unknown'}`,
    `commit: ${commitText}`,
    `date: ${provenance.date ?? 'unknown'}`,
    `images: ${record.n_images}`,
  ].join('; ');
  return {
    templates: record.templates,
    bundleSha256: bundle,
    bundleText,
    commit,
    commitText,
    date: provenance.date ?? '',
    images: record.n_images,
    device: provenance.device ?? '',
    packageVersion: provenance.package_version ?? '',
    runId: record.run_id ?? null,
    path: loaded.path,
    summary,
  };
}

/** Competition ranks (1, 2, 2, 4) of the non-null values, best first. */
function competitionRanks(values: (number | null)[], higher: boolean): (number | null)[] {
  return values.map((value) => {
    if (value === null) return null;
    return 1 + values.filter((other) => other !== null && (higher ? other > value : other < value)).length;
  });
}

export function buildLeaderboard(options: LeaderboardOptions): Leaderboard {
  const epsilon = options.epsilon ?? RADAR_EPSILON;
  const kept = options.kept;

  // 1. Entries and benchmarks.
  const templatesPerModel = new Map<string, Set<string>>();
  for (const { record } of kept) {
    if (!templatesPerModel.has(record.model)) templatesPerModel.set(record.model, new Set());
    templatesPerModel.get(record.model)!.add(record.templates);
  }
  const entryRecords = new Map<string, LoadedRecord[]>();
  const cells: Leaderboard['cells'] = {};
  const entryIdOf = (record: ResultRecord) => JSON.stringify([record.model, record.templates]);
  for (const loaded of kept) {
    const id = entryIdOf(loaded.record);
    if (!entryRecords.has(id)) entryRecords.set(id, []);
    entryRecords.get(id)!.push(loaded);
    (cells[id] ??= {})[loaded.record.dataset] = { record: loaded.record, provenance: provenanceOf(loaded) };
  }

  const datasets = [...new Set(kept.map(({ record }) => record.dataset))].sort(compareDatasets);
  const benchmarks: Benchmark[] = datasets.map((dataset) => {
    const records = kept.filter(({ record }) => record.dataset === dataset).map(({ record }) => record);
    const classes: string[] = [];
    for (const record of records) for (const name of record.classes ?? []) if (!classes.includes(name)) classes.push(name);
    return {
      dataset,
      label: datasetLabel(dataset),
      slug: dataset.replace(/[^A-Za-z0-9_-]+/g, '_'),
      task: records[0].task,
      demo: records.some((record) => record.demo),
      classes,
      metrics: orderMetrics(records.flatMap((record) => Object.keys(record.metrics))),
    };
  });

  // 2. Axes: every classification axis, then every retrieval axis (the radar draws
  // each benchmark's two axes opposite each other).
  const axes: Axis[] = [];
  for (const task of TASKS) {
    for (const benchmark of benchmarks) {
      const metric = AXIS_METRICS[benchmark.task][task];
      axes.push({
        id: `${benchmark.dataset}:${task}`,
        dataset: benchmark.dataset,
        datasetLabel: benchmark.label,
        task,
        metric,
        higherIsBetter: higherIsBetter(metric),
        demo: benchmark.demo,
        min: null,
        max: null,
      });
    }
  }

  const entryIds = [...entryRecords.keys()];
  const valueOf = (entryId: string, axis: Axis): number | null => {
    const cell = cells[entryId]?.[axis.dataset];
    return cell ? metricValue(cell.record, axis.metric) : null;
  };

  // 3. Ranges, ranks and radii per axis.
  const scores: Leaderboard['scores'] = Object.fromEntries(entryIds.map((id) => [id, {}]));
  for (const axis of axes) {
    const values = entryIds.map((id) => valueOf(id, axis));
    const present = values.filter((value): value is number => value !== null);
    axis.min = present.length ? Math.min(...present) : null;
    axis.max = present.length ? Math.max(...present) : null;
    const ranks = competitionRanks(values, axis.higherIsBetter);
    entryIds.forEach((id, index) => {
      const value = values[index];
      scores[id][axis.id] = {
        value,
        rank: ranks[index],
        scaled: value === null ? null : smoothedMinMax(value, axis.min!, axis.max!, { epsilon, higherIsBetter: axis.higherIsBetter }),
      };
    });
  }

  // 4. Entries and overall rank.
  const unranked = entryIds.map((id) => {
    const loaded = entryRecords.get(id)!;
    const { model, templates } = loaded[0].record;
    const label = templatesPerModel.get(model)!.size > 1 ? `${model} [${templates}]` : model;
    const demo = loaded.some(({ record }) => record.demo);
    const kind = imageKind(loaded.map(({ record }) => record), model);
    const axisScores = axes
      .map((axis) => ({ axis, value: scores[id][axis.id].value }))
      .filter((item): item is { axis: Axis; value: number } => item.value !== null)
      .map(({ axis, value }) => (axis.higherIsBetter ? value : 1 - value));
    const meanScore = axisScores.length ? axisScores.reduce((a, b) => a + b, 0) / axisScores.length : null;
    return {
      id, model, templates, label, displayLabel: demo ? `${label} (demo)` : label,
      kind: kind.kind, kindSource: kind.source, demo, rank: 0, meanScore, axesCovered: axisScores.length,
    } satisfies Entry;
  });
  const entries = unranked.sort((a, b) => b.axesCovered - a.axesCovered || (b.meanScore ?? -Infinity) - (a.meanScore ?? -Infinity) || a.label.localeCompare(b.label));
  entries.forEach((entry, index) => {
    const previous = entries[index - 1];
    entry.rank = previous && previous.axesCovered === entry.axesCovered && previous.meanScore === entry.meanScore ? previous.rank : index + 1;
  });

  // 5. Headlines over the real benchmarks (the demo ones only when there is nothing else).
  const realDatasets = benchmarks.filter((benchmark) => !benchmark.demo).map((benchmark) => benchmark.dataset);
  const headlineDatasets = realDatasets.length ? realDatasets : benchmarks.map((benchmark) => benchmark.dataset);
  const labelOf = new Map(entries.map((entry) => [entry.id, entry.label]));
  const headlines: Headline[] = TASKS.map((task) => {
    const taskAxes = axes.filter((axis) => axis.task === task && headlineDatasets.includes(axis.dataset));
    const perBenchmark: HeadlineBenchmark[] = [];
    const topGaps: number[] = [];
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
        leader: labelOf.get(leader.entry.id)!,
        leaderScore: leader.value,
        runnerUp: labelOf.get(runnerUp.entry.id)!,
        runnerUpScore: runnerUp.value,
        gap: 100 * (oriented(leader.value, axis) - oriented(runnerUp.value, axis)),
      });
      const topValue = scores[top.id][axis.id].value;
      const bestOther = ranked.find((item) => item.entry.id !== top.id);
      if (topValue !== null && bestOther) topGaps.push(100 * (oriented(topValue, axis) - oriented(bestOther.value, axis)));
    }
    const leaders = new Set(perBenchmark.map((item) => item.leader));
    return {
      task,
      benchmarks: perBenchmark,
      meanGap: perBenchmark.length ? perBenchmark.reduce((sum, item) => sum + item.gap, 0) / perBenchmark.length : null,
      leaderEverywhere: leaders.size === 1 && perBenchmark.length === taskAxes.length ? [...leaders][0] : null,
      topEntry: topGaps.length && top ? { label: top.label, meanGap: topGaps.reduce((a, b) => a + b, 0) / topGaps.length } : null,
    };
  });

  // 6. Baseline and gaps.
  const baseline = chooseBaseline(entries, options.baseline);
  const gaps: Leaderboard['gaps'] = {};
  for (const entry of entries) {
    gaps[entry.id] = {};
    for (const axis of axes) {
      const value = scores[entry.id][axis.id].value;
      const reference = baseline ? scores[baseline.entryId][axis.id].value : null;
      gaps[entry.id][axis.id] = value === null || reference === null ? null : 100 * (oriented(value, axis) - oriented(reference, axis));
    }
  }

  return {
    entries, benchmarks, axes, scores, cells, headlines, headlineDatasets, baseline, gaps, epsilon,
    recordsRead: options.recordsRead ?? kept.length + (options.superseded?.length ?? 0),
    superseded: [...(options.superseded ?? [])],
  };
}

/**
 * `--baseline NAME` matches an entry label, else a model name with one entry; without
 * it the best-ranked RGB entry is the baseline, else (no RGB model) the top entry.
 */
function chooseBaseline(entries: readonly Entry[], name: string | undefined): Baseline | null {
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

/** A fraction as a percentage string: 0.6789 -> "67.9" (digits = 1). */
export function percent(value: number | null, digits = 1): string {
  return value === null ? '—' : (100 * value).toFixed(digits);
}

/** A signed number of percentage points: "+4.63" / "-0.20". */
export function points(value: number | null, digits = 2): string {
  if (value === null) return '—';
  const rounded = value.toFixed(digits);
  return value > 0 && Number(rounded) !== 0 ? `+${rounded}` : rounded.replace(/^-(0\.0*)$/, '$1');
}
