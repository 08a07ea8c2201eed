/**
 * Heatmap (Vega-Lite): entries x (benchmark, metric), raw scores printed in the cells.
 * Metrics live on different ranges, so the colour shows where a score sits within its
 * own column (0 = the column's worst, 1 = its best, direction from metrics/);
 * the printed number is always the raw score in percent.
 */
import type { TopLevelSpec } from 'vega-lite';
import { higherIsBetter, type Leaderboard, metricValue, percent } from '../leaderboard.ts';
import { CHART_FONT } from './palette.ts';

export interface HeatmapCell {
  entry: string;
  column: string;
  value: number;
  text: string;
  relative: number;
}

export function heatmapData(board: Leaderboard): { rows: HeatmapCell[]; columns: string[]; entries: string[] } {
  const rows: HeatmapCell[] = [];
  const columns: string[] = [];
  for (const benchmark of board.benchmarks) {
    for (const metric of benchmark.metrics) {
      const column = `${benchmark.label} · ${metric}`;
      const values = board.entries.map((entry) => {
        const cell = board.cells[entry.id]?.[benchmark.dataset];
        return cell ? metricValue(cell.record, metric) : null;
      });
      const present = values.filter((value): value is number => value !== null);
      if (present.length === 0) continue;
      columns.push(column);
      const min = Math.min(...present);
      const max = Math.max(...present);
      const higher = higherIsBetter(metric);
      board.entries.forEach((entry, index) => {
        const value = values[index];
        if (value === null) return;
        const position = max > min ? (value - min) / (max - min) : 1;
        rows.push({ entry: entry.displayLabel, column, value, text: percent(value), relative: higher ? position : 1 - position });
      });
    }
  }
  return { rows, columns, entries: board.entries.map((entry) => entry.displayLabel) };
}

export function heatmapSpec(board: Leaderboard): TopLevelSpec {
  const { rows, columns, entries } = heatmapData(board);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'Every metric of every model on every benchmark, in percent.',
    title: { text: 'All metrics (%)', subtitle: 'colour: position within the column, from its worst to its best score', anchor: 'start' },
    config: { font: CHART_FONT, view: { stroke: null } },
    background: 'white',
    data: { values: rows },
    width: { step: 46 },
    height: { step: 26 },
    encoding: {
      x: { field: 'column', type: 'nominal', sort: columns, title: null, axis: { orient: 'top', labelAngle: -50, labelLimit: 260 } },
      y: { field: 'entry', type: 'nominal', sort: entries, title: null, axis: { labelLimit: 320 } },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: {
            field: 'relative', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] },
            legend: { title: 'within column', orient: 'bottom', gradientLength: 160 },
          },
          tooltip: [
            { field: 'entry', type: 'nominal', title: 'model' },
            { field: 'column', type: 'nominal', title: 'metric' },
            { field: 'text', type: 'nominal', title: 'score %' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'text', type: 'nominal' },
          color: { condition: { test: 'datum.relative > 0.6', value: 'white' }, value: '#111111' },
        },
      },
    ],
  };
}
