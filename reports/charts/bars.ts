/**
 * Grouped bars for one benchmark (Vega-Lite): its summary metrics by model, then the
 * per-class accuracy and the per-class AP@100 by model, stacked vertically and sharing
 * one colour legend. Class names come from the records and are drawn as data.
 */
import type { TopLevelSpec } from 'vega-lite';
import { type Benchmark, type Leaderboard, metricValue, percent } from '../leaderboard.ts';
import { CHART_FONT, entryColours } from './palette.ts';

export interface BarDatum {
  entry: string;
  group: string;
  value: number;
  text: string;
}

function perClassData(board: Leaderboard, benchmark: Benchmark, measure: 'accuracy' | 'ap'): BarDatum[] {
  const rows: BarDatum[] = [];
  for (const entry of board.entries) {
    const record = board.cells[entry.id]?.[benchmark.dataset]?.record;
    if (!record) continue;
    for (const name of benchmark.classes) {
      const value = record.per_class?.[name]?.[measure];
      if (typeof value === 'number' && Number.isFinite(value)) rows.push({ entry: entry.displayLabel, group: name, value: 100 * value, text: percent(value) });
    }
  }
  return rows;
}

function summaryData(board: Leaderboard, benchmark: Benchmark): BarDatum[] {
  const rows: BarDatum[] = [];
  for (const entry of board.entries) {
    const record = board.cells[entry.id]?.[benchmark.dataset]?.record;
    if (!record) continue;
    for (const metric of benchmark.metrics) {
      const value = metricValue(record, metric);
      if (value !== null) rows.push({ entry: entry.displayLabel, group: metric, value: 100 * value, text: percent(value) });
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
  const grouped = (title: string, values: BarDatum[], groups: string[], yTitle: string) => ({
    title: { text: title, anchor: 'start' as const, fontSize: 13 },
    data: { values },
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
        { field: 'group', type: 'nominal' as const, title: title.startsWith('Summary') ? 'metric' : 'class' },
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
      grouped('Summary metrics', summaryData(board, benchmark), benchmark.metrics, '%'),
      grouped('Per-class accuracy', perClassData(board, benchmark, 'accuracy'), benchmark.classes, 'accuracy %'),
      grouped('Per-class AP@100', perClassData(board, benchmark, 'ap'), benchmark.classes, 'AP %'),
    ],
  };
}
