/**
 * Gap to the baseline (Vega-Lite): for every radar axis, each entry's score minus the
 * baseline's, in percentage points, signed so that positive means better than the
 * baseline whatever the metric's direction. One small panel per axis.
 */
import type { TopLevelSpec } from 'vega-lite';
import { type Leaderboard, points } from '../leaderboard.ts';
import { CHART_FONT } from './palette.ts';

export interface GapDatum {
  entry: string;
  axis: string;
  gap: number;
  text: string;
  side: 'better' | 'worse';
}

export function gapData(board: Leaderboard): GapDatum[] {
  const rows: GapDatum[] = [];
  if (!board.baseline) return rows;
  for (const entry of board.entries) {
    if (entry.id === board.baseline.entryId) continue;
    for (const axis of board.axes) {
      const gap = board.gaps[entry.id][axis.id];
      if (gap === null) continue;
      rows.push({ entry: entry.displayLabel, axis: `${axis.datasetLabel} ${axis.task}`, gap, text: points(gap), side: gap >= 0 ? 'better' : 'worse' });
    }
  }
  return rows;
}

export function gapSpec(board: Leaderboard): TopLevelSpec {
  const rows = gapData(board);
  const axes = board.axes.map((axis) => `${axis.datasetLabel} ${axis.task}`);
  const entries = board.entries.filter((entry) => entry.id !== board.baseline?.entryId).map((entry) => entry.displayLabel);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: 'Difference of every model to the baseline model on every benchmark axis, in percentage points.',
    title: { text: `Gap to ${board.baseline?.label ?? 'baseline'} (percentage points)`, subtitle: 'positive: better than the baseline', anchor: 'start' },
    config: { font: CHART_FONT },
    background: 'white',
    data: { values: rows },
    columns: 3,
    facet: { field: 'axis', type: 'nominal', sort: axes, title: null, header: { labelFontSize: 12 } },
    spec: {
      width: 200,
      height: { step: 16 },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'entry', type: 'nominal', sort: entries, title: null, axis: { labelLimit: 220 } },
        x: { field: 'gap', type: 'quantitative', title: 'points' },
        color: {
          field: 'side', type: 'nominal', title: null,
          scale: { domain: ['better', 'worse'], range: ['#59a14f', '#e15759'] },
        },
        tooltip: [
          { field: 'entry', type: 'nominal', title: 'model' },
          { field: 'axis', type: 'nominal', title: 'axis' },
          { field: 'text', type: 'nominal', title: 'gap (points)' },
        ],
      },
    },
    resolve: { axis: { y: 'independent' } },
  };
}
