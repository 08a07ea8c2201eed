/**
 * Few-shot records -> the label-efficiency view model, per dataset: one series per
 * (model, probe, band condition) with the per-budget mean and std of the record's
 * headline metric, the model's zero-shot score on the same test images, and the
 * headline: how many labels per class the model needs to reach 95% of its own
 * largest-budget score. Pure: records in, numbers out.
 *
 * Which records: `evaluation: "few-shot"` ones (the main table and radar take the
 * zero-shot, all-band ones: `isLeaderboardRecord`). A record whose curve is not in the
 * shape ../RECORDS.md describes is left out and named in `skipped`.
 */
import type { LoadedRecord, RecordCondition, ResultRecord } from '../records/records.ts';
import { compareDatasets, conditionLabel, datasetLabel, finiteOrNull, imageKind } from './values.ts';

/** The share of the largest-budget score the headline asks for. */
export const TARGET_SHARE = 0.95;

/** The curve's metric: accuracy for single-label datasets, macro mAP for multi-label ones. */
export const CURVE_METRICS: Record<ResultRecord['task'], string> = { 'single-label': 'acc1', 'multi-label': 'macro_mAP' };

export interface CurvePoint {
  budget: number | 'all';
  /** Mean labelled images per class over the budget's draws (the x axis). */
  labelsPerClass: number;
  draws: number;
  /** Fractions 0..1. */
  mean: number;
  std: number;
  ci95: [number, number];
}

export interface FewShotSeries {
  id: string;
  model: string;
  probe: string;
  /** The band condition's label ('' = all bands). */
  condition: string;
  /** "Model · probe [condition]". */
  label: string;
  /** The colour key: the model (and condition), shared by its probes and its zero-shot level. */
  modelLabel: string;
  kind: 'multispectral' | 'rgb';
  demo: boolean;
  points: CurvePoint[];
  /** The model's zero-shot score on the same test images, in the curve's metric (null when the record has none). */
  zeroShot: number | null;
  /** Mean at the largest budget. */
  largest: number;
  /** Labels per class of the first budget whose mean reaches TARGET_SHARE x largest. */
  labelsTo95: number;
  budgetTo95: number | 'all';
  testImages: number;
  path: string;
}

export interface FewShotBenchmark {
  dataset: string;
  label: string;
  slug: string;
  task: ResultRecord['task'];
  metric: string;
  /** 'per-class' or 'total' (then the x axis is the total divided by the class count). */
  budgetKind: string;
  classes: number;
  demo: boolean;
  series: FewShotSeries[];
  /** Budgets of any series, ascending, 'all' last. */
  budgets: (number | 'all')[];
}

export interface FewShotBoard {
  benchmarks: FewShotBenchmark[];
  skipped: { path: string; reason: string }[];
}


export const isFewShotRecord = (record: ResultRecord): boolean => record.evaluation === 'few-shot';

const budgetOrder = (budget: number | 'all'): number => (budget === 'all' ? Infinity : budget);

/** One record's curve in the metric, or why it cannot be read. */
function readPoints(record: ResultRecord, metric: string): CurvePoint[] | string {
  const summary = record.curve_summary;
  if (!Array.isArray(summary) || summary.length === 0) return 'no curve_summary';
  const points: CurvePoint[] = [];
  for (const entry of summary as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return 'a curve_summary entry is not an object';
    const { budget, labels_per_class: labelsPerClass, draws, metrics } = entry as Record<string, unknown>;
    const value = (metrics as Record<string, unknown> | undefined)?.[metric] as Record<string, unknown> | null | undefined;
    if (!(budget === 'all' || (typeof budget === 'number' && budget > 0))) return `budget ${JSON.stringify(budget)} is not a number or "all"`;
    const x = finiteOrNull(labelsPerClass);
    if (x === null || x <= 0) return `budget ${budget}: labels_per_class missing`;
    if (value === null || value === undefined) continue; // undefined at this budget (no positive test image): no point
    const mean = finiteOrNull(value.mean);
    const std = finiteOrNull(value.std);
    const ci = Array.isArray(value.ci95) ? value.ci95.map(finiteOrNull) : [];
    if (mean === null || std === null || ci.length !== 2 || ci[0] === null || ci[1] === null) return `budget ${budget}: ${metric} has no mean, std and ci95`;
    points.push({ budget, labelsPerClass: x, draws: finiteOrNull(draws) ?? 1, mean, std, ci95: [ci[0], ci[1]] });
  }
  if (points.length === 0) return `no budget has a value of ${metric}`;
  return points.sort((a, b) => budgetOrder(a.budget) - budgetOrder(b.budget));
}

/** The headline: the first point (ascending budget) whose mean reaches TARGET_SHARE of the largest budget's. */
export function labelsToTarget(points: readonly CurvePoint[], share = TARGET_SHARE): CurvePoint {
  const largest = points[points.length - 1];
  return points.find((point) => point.mean >= share * largest.mean) ?? largest;
}

function seriesOf(loaded: LoadedRecord, metric: string): FewShotSeries | string {
  const { record, path } = loaded;
  const points = readPoints(record, metric);
  if (typeof points === 'string') return points;
  const probe = typeof record.probe === 'string' ? record.probe : '?';
  const conditionText = record.condition === undefined || record.condition === null ? '' : conditionLabel(record.condition as RecordCondition);
  const modelLabel = `${record.model}${conditionText ? ` [${conditionText}]` : ''}${record.demo ? ' (demo)' : ''}`;
  const zeroShot = finiteOrNull(((record.zero_shot_on_test as { metrics?: Record<string, unknown> } | undefined)?.metrics ?? {})[metric]);
  const reached = labelsToTarget(points);
  return {
    id: JSON.stringify([record.model, probe, conditionText]),
    model: record.model,
    probe,
    condition: conditionText,
    label: `${record.model} · ${probe}${conditionText ? ` [${conditionText}]` : ''}`,
    modelLabel,
    kind: imageKind([record], record.model).kind,
    demo: record.demo,
    points,
    zeroShot,
    largest: points[points.length - 1].mean,
    labelsTo95: reached.labelsPerClass,
    budgetTo95: reached.budget,
    testImages: record.n_images,
    path,
  };
}

export function buildFewShot(kept: readonly LoadedRecord[]): FewShotBoard {
  const skipped: FewShotBoard['skipped'] = [];
  const records = kept.filter(({ record }) => isFewShotRecord(record));
  const datasets = [...new Set(records.map(({ record }) => record.dataset))].sort(compareDatasets);
  const benchmarks = datasets.flatMap((dataset): FewShotBenchmark[] => {
    const mine = records.filter(({ record }) => record.dataset === dataset);
    const task = mine[0].record.task;
    const metric = CURVE_METRICS[task];
    const series: FewShotSeries[] = [];
    for (const loaded of mine) {
      const result = seriesOf(loaded, metric);
      if (typeof result === 'string') skipped.push({ path: loaded.path, reason: result });
      else series.push(result);
    }
    if (series.length === 0) return [];
    series.sort((a, b) => a.model.localeCompare(b.model) || a.condition.localeCompare(b.condition) || a.probe.localeCompare(b.probe));
    const budgets = [...new Set(series.flatMap((entry) => entry.points.map((point) => point.budget)))].sort((a, b) => budgetOrder(a) - budgetOrder(b));
    return [{
      dataset,
      label: datasetLabel(dataset),
      slug: dataset.replace(/[^A-Za-z0-9_-]+/g, '_'),
      task,
      metric,
      budgetKind: typeof mine[0].record.budget_kind === 'string' ? mine[0].record.budget_kind : 'per-class',
      classes: mine[0].record.classes?.length ?? 0,
      demo: series.some((entry) => entry.demo),
      series,
      budgets,
    }];
  });
  return { benchmarks, skipped };
}
