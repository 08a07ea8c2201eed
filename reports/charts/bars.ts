/**
 * Grouped bars for one benchmark (Vega-Lite): its summary metrics by model, then the
 * per-class accuracy and the per-class AP@100 by model, stacked vertically and sharing
 * one colour legend. Class names come from the records and are drawn as data.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultRecord } from '../../records/records.ts';
import { type Benchmark, type Leaderboard, metricValue, perClassValue, percent } from '../leaderboard.ts';
import { CHART_FONT, entryColours } from './palette.ts';

export interface BarDatum {
  entry: string;
  group: string;
  value: number;
  text: string;
}

/** One bar per (entry with a record here, group) whose value is a finite number. */
function barData(board: Leaderboard, benchmark: Benchmark, groups: readonly string[], valueOf: (record: ResultRecord, group: string) => number | null): BarDatum[] {
  const rows: BarDatum[] = [];
  for (const entry of board.entries) {
    const record = board.cells[entry.id]?.[benchmark.dataset]?.record;
    if (!record) continue;
    for (const group of groups) {
      const value = valueOf(record, group);
      if (value !== null) rows.push({ entry: entry.displayLabel, group, value: 100 * value, text: percent(value) });
    }
  }
  return rows;
}

export function barsSpec(board: Leaderboard, benchmark: Benchmark): TopLevelSpec {
  const present = new Set(board.entries.filter((entry) => board.cells[entry.id]?.[benchmark.dataset]).map((entry) => entry.displayLabel));
  const allLabels = board.entries.map((entry) => entry.displayLabel);
  const colours = entryColours(allLabels.length);
  const domain = allLabels.filter((label) => present.has(label));
  const range = allLabels.map((label, index) => [label, colours[index]] as const).filter(([label]) => present.has(label)).map(([, colour]) => colour);
  const grouped = (title: string, groups: string[], groupTitle: 'metric' | 'class', yTitle: string, valueOf: (record: ResultRecord, group: string) => number | null) => ({
    title: { text: title, anchor: 'start' as const, fontSize: 13 },
    data: { values: barData(board, benchmark, groups, valueOf) },
    width: { step: 10 },
    height: 180,
    mark: { type: 'bar' as const },
    encoding: {
      x: { field: 'group', type: 'nominal' as const, sort: groups, title: null, axis: { labelAngle: -40, labelLimit: 170 } },
      xOffset: { field: 'entry', type: 'nominal' as const, sort: domain },
      y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: { domain: [0, 100] } },
      color: { field: 'entry', type: 'nominal' as const, title: 'Model', scale: { domain, range }, legend: { labelLimit: 320, orient: 'right' as const } },
      tooltip: [
        { field: 'entry', type: 'nominal' as const, title: 'model' },
        { field: 'group', type: 'nominal' as const, title: groupTitle },
        { field: 'text', type: 'nominal' as const, title: '%' },
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
      grouped('Summary metrics', benchmark.metrics, 'metric', '%', metricValue),
      grouped('Per-class accuracy', benchmark.classes, 'class', 'accuracy %', (record, name) => perClassValue(record, name, 'accuracy')),
      grouped('Per-class AP@100', benchmark.classes, 'class', 'AP %', (record, name) => perClassValue(record, name, 'ap')),
    ],
  };
}
