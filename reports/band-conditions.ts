/**
 * Missing bands on the leaderboard: for every benchmark and multispectral model with
 * band-condition records, the change of each headline metric under each condition
 * against the same run's full-band record (points of accuracy / mAP), worst first. RGB
 * models have no multispectral bands to drop: they are listed as not applicable. The
 * main table and the radar never see these records (build.ts keeps them apart).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { LoadedRecord, RecordCondition, ResultRecord } from '../records/records.ts';
import { AXIS_METRICS } from './board-types.ts';
import { CHART_FONT } from './charts/palette.ts';
import { chartSafe, conditionLabel, finiteOrNull, isLeaderboardRecord } from './values.ts';

export interface ConditionRow {
  model: string;
  condition: string;
  dropped: string;
  fill: string;
  /** Per headline metric: the score under the condition and its change from full bands, both in points. */
  scores: { metric: string; value: number | null; delta: number | null }[];
}

export interface BandConditionView {
  dataset: string;
  metrics: string[];
  rows: ConditionRow[];
  /** RGB models on this benchmark (a band condition does not apply to them). */
  notApplicable: string[];
}

const isCondition = (record: ResultRecord): boolean => record.condition !== undefined && record.condition !== null;

export function bandConditionViews(kept: readonly LoadedRecord[]): BandConditionView[] {
  const conditionRecords = kept.map((loaded) => loaded.record).filter(isCondition);
  const datasets = [...new Set(conditionRecords.map((record) => record.dataset))].sort();
  return datasets.map((dataset) => {
    const here = kept.map((loaded) => loaded.record).filter((record) => record.dataset === dataset);
    const task = here[0].task;
    const metrics = [AXIS_METRICS[task].classification, AXIS_METRICS[task].retrieval];
    const rows: ConditionRow[] = [];
    for (const record of here.filter(isCondition)) {
      const full = here.find((candidate) => isLeaderboardRecord(candidate) && candidate.model === record.model && candidate.templates === record.templates);
      const condition = record.condition as RecordCondition;
      rows.push({
        model: record.model,
        condition: conditionLabel(condition),
        dropped: condition.dropped.join(' '),
        fill: condition.fill,
        scores: metrics.map((metric) => {
          const value = finiteOrNull(record.metrics[metric]);
          const base = full ? finiteOrNull(full.metrics[metric]) : null;
          return { metric, value: value === null ? null : 100 * value, delta: value === null || base === null ? null : 100 * (value - base) };
        }),
      });
    }
    rows.sort((a, b) => a.model.localeCompare(b.model) || (a.scores[0].delta ?? 0) - (b.scores[0].delta ?? 0));
    const withConditions = new Set(rows.map((row) => row.model));
    const notApplicable = [...new Set(here.filter((record) => isLeaderboardRecord(record) && !withConditions.has(record.model) && record.provenance?.image_kind === 'rgb').map((record) => record.model))];
    return { dataset, metrics, rows, notApplicable };
  });
}

/** Change per condition, one bar per (condition, metric), a panel per model; worst first. */
export function bandConditionSpec(view: BandConditionView, label: string): TopLevelSpec {
  const values = view.rows.flatMap((row, order) => row.scores.filter((score) => score.delta !== null).map((score) => ({
    model: chartSafe(row.model), condition: chartSafe(row.condition), order, metric: score.metric, delta: score.delta, text: `${(score.delta ?? 0) >= 0 ? '+' : ''}${(score.delta ?? 0).toFixed(2)} points`,
  })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `${label}: change of each headline metric when bands are missing, against the full-band score.`,
    title: { text: `${label}: what a missing band costs`, anchor: 'start' },
    config: { font: CHART_FONT },
    background: 'white',
    data: { values },
    facet: { row: { field: 'model', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 320 } } },
    spec: {
      width: 420,
      height: { step: 14 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'condition', type: 'nominal', sort: { field: 'order', op: 'min' }, title: null, axis: { labelLimit: 260 } },
        yOffset: { field: 'metric', type: 'nominal' },
        x: { field: 'delta', type: 'quantitative', title: 'change from all bands (points)' },
        color: { field: 'metric', type: 'nominal', title: 'Metric' },
        tooltip: [{ field: 'model', type: 'nominal' }, { field: 'condition', type: 'nominal' }, { field: 'metric', type: 'nominal' }, { field: 'text', type: 'nominal', title: 'change' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
