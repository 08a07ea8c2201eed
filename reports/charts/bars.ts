/**
 * Grouped bars for one benchmark (Vega-Lite): its summary metrics by model, with
 * whiskers for their 95% bootstrap intervals (the records' `ci`), then the per-class
 * accuracy and the per-class AP@100 by model, stacked vertically and sharing one
 * colour legend. Class names come from the records and are drawn as data.
 */
import { chartSafe } from '../values.ts';
import type { TopLevelSpec } from 'vega-lite';
import type { ResultRecord } from '../../records/records.ts';
import { type Benchmark, type Leaderboard, metricValue, perClassValue, percentWithInterval } from '../leaderboard.ts';
import { CHART_FONT, entryColours } from './palette.ts';

export interface BarDatum {
  entry: string;
  group: string;
  /** Sort keys: positions of the group and the entry. Sorting by an array of names would
   * make Vega look names up as object keys ("constructor" breaks it), so order is data. */
  groupOrder: number;
  entryOrder: number;
  value: number;
  text: string;
  /** The whisker's ends in %, when the record has an interval for this bar. */
  low?: number;
  high?: number;
}

type IntervalOf = (record: ResultRecord, group: string) => readonly [number, number] | null;

/** One bar per (entry with a record here, group) whose value is a finite number. */
export function barData(board: Leaderboard, benchmark: Benchmark, groups: readonly string[], valueOf: (record: ResultRecord, group: string) => number | null, intervalOf?: IntervalOf): BarDatum[] {
  const rows: BarDatum[] = [];
  for (const [entryOrder, entry] of board.entries.entries()) {
    const record = board.cells[entry.id]?.[benchmark.dataset]?.record;
    if (!record) continue;
    for (const [groupOrder, group] of groups.entries()) {
      const value = valueOf(record, group);
      if (value === null) continue;
      const interval = intervalOf?.(record, group) ?? null;
      rows.push({
        entry: entry.displayLabel, group: chartSafe(group), groupOrder, entryOrder, value: 100 * value, text: percentWithInterval(value, interval, 1),
        ...(interval ? { low: 100 * interval[0], high: 100 * interval[1] } : {}),
      });
    }
  }
  return rows;
}

/** A record's `ci` for a metric, when it has one. */
const metricInterval: IntervalOf = (record, metric) => {
  const interval = record.ci?.[metric];
  return Array.isArray(interval) ? interval : null;
};

export function barsSpec(board: Leaderboard, benchmark: Benchmark): TopLevelSpec {
  const present = new Set(board.entries.filter((entry) => board.cells[entry.id]?.[benchmark.dataset]).map((entry) => entry.displayLabel));
  const allLabels = board.entries.map((entry) => entry.displayLabel);
  const colours = entryColours(allLabels.length);
  const domain = allLabels.filter((label) => present.has(label));
  const range = allLabels.map((label, index) => [label, colours[index]] as const).filter(([label]) => present.has(label)).map(([, colour]) => colour);
  const grouped = (title: string, groups: string[], groupTitle: 'metric' | 'class', yTitle: string, valueOf: (record: ResultRecord, group: string) => number | null, intervalOf?: IntervalOf) => ({
    title: { text: title, anchor: 'start' as const, fontSize: 13 },
    data: { values: barData(board, benchmark, groups, valueOf, intervalOf) },
    width: { step: 10 },
    height: 180,
    // Bars, and where there are intervals, a whisker (rule) from low to high on each bar.
    layer: [
      { mark: { type: 'bar' as const } },
      ...(intervalOf ? [{
        mark: { type: 'rule' as const, strokeWidth: 1.2 },
        encoding: { y: { field: 'low', type: 'quantitative' as const }, y2: { field: 'high' }, color: { value: '#222222' } },
      }] : []),
    ],
    encoding: {
      x: { field: 'group', type: 'nominal' as const, sort: { field: 'groupOrder', op: 'min' as const }, title: null, axis: { labelAngle: -40, labelLimit: 170 } },
      xOffset: { field: 'entry', type: 'nominal' as const, sort: { field: 'entryOrder', op: 'min' as const } },
      y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: { domain: [0, 100] } },
      color: { field: 'entry', type: 'nominal' as const, title: 'Model', scale: { domain, range }, legend: { labelLimit: 320, orient: 'right' as const } },
      tooltip: [
        { field: 'entry', type: 'nominal' as const, title: 'model' },
        { field: 'group', type: 'nominal' as const, title: groupTitle },
        { field: 'text', type: 'nominal' as const, title: intervalOf ? '% [95% interval]' : '%' },
      ],
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Scores of every model on ${benchmark.label}: summary metrics, per-class accuracy and per-class AP@100.`,
    title: { text: `${benchmark.label}${benchmark.demo ? ' (demo)' : ''}`, anchor: 'start' },
    config: { font: CHART_FONT },
    background: 'white',
    vconcat: [
      grouped('Summary metrics (whiskers: 95% bootstrap intervals)', benchmark.metrics, 'metric', '%', metricValue, metricInterval),
      grouped('Per-class accuracy', benchmark.classes, 'class', 'accuracy %', (record, name) => perClassValue(record, name, 'accuracy')),
      grouped('Per-class AP@100', benchmark.classes, 'class', 'AP %', (record, name) => perClassValue(record, name, 'ap')),
    ],
  };
}
