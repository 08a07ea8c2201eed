/**
 * A dataset's label-efficiency chart (Vega-Lite): x = labelled images per class (log
 * scale), y = the curve's metric in %; per (model, probe) a line through the per-budget
 * means with a band of +-1 std over the draws; per model its zero-shot score on the
 * same test images as a dashed level. Colour = model (and band condition), point shape
 * = probe. Names are drawn as data.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { FewShotBenchmark } from '../few-shot.ts';
import { CHART_FONT, entryColours } from './palette.ts';

export interface CurveDatum {
  series: string;
  model: string;
  probe: string;
  budget: string;
  x: number;
  mean: number;
  low: number;
  high: number;
  draws: number;
  text: string;
}

export interface LevelDatum {
  model: string;
  value: number;
  text: string;
}

export function curveData(benchmark: FewShotBenchmark): CurveDatum[] {
  return benchmark.series.flatMap((series) => series.points.map((point) => ({
    series: series.label,
    model: series.modelLabel,
    probe: series.probe,
    budget: String(point.budget),
    x: point.labelsPerClass,
    mean: 100 * point.mean,
    low: 100 * Math.max(0, point.mean - point.std),
    high: 100 * Math.min(1, point.mean + point.std),
    draws: point.draws,
    text: `${(100 * point.mean).toFixed(1)} ± ${(100 * point.std).toFixed(1)}`,
  })));
}

/** One dashed level per model: its zero-shot score (the probes of a model share their test images). */
export function levelData(benchmark: FewShotBenchmark): LevelDatum[] {
  const levels = new Map<string, number>();
  for (const series of benchmark.series) if (series.zeroShot !== null && !levels.has(series.modelLabel)) levels.set(series.modelLabel, series.zeroShot);
  return [...levels].map(([model, value]) => ({ model, value: 100 * value, text: (100 * value).toFixed(1) }));
}

export function labelEfficiencySpec(benchmark: FewShotBenchmark): TopLevelSpec {
  const models = [...new Set(benchmark.series.map((series) => series.modelLabel))];
  const probes = [...new Set(benchmark.series.map((series) => series.probe))].sort();
  const colour = { field: 'model', type: 'nominal' as const, title: 'Model', scale: { domain: models, range: entryColours(models.length) }, legend: { labelLimit: 320, orient: 'right' as const } };
  const metricTitle = benchmark.metric === 'acc1' ? 'accuracy %' : `${benchmark.metric} %`;
  const xTitle = benchmark.budgetKind === 'total' ? 'labelled images per class (total ÷ classes; log scale)' : 'labelled images per class (log scale)';
  // Not "nice": a log axis would otherwise run on to the next power of ten past the largest budget.
  const x = { field: 'x', type: 'quantitative' as const, title: xTitle, scale: { type: 'log' as const, nice: false } };
  const levels = levelData(benchmark);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Label efficiency on ${benchmark.label}: ${benchmark.metric} by labelled images per class, per model and probe, with +-1 std over draws and each model's zero-shot level.`,
    title: { text: `${benchmark.label}${benchmark.demo ? ' (demo)' : ''}: label efficiency`, anchor: 'start' },
    config: { font: CHART_FONT },
    background: 'white',
    width: 460,
    height: 280,
    layer: [
      {
        data: { values: curveData(benchmark) },
        layer: [
          {
            mark: { type: 'line', point: { filled: true, size: 45 }, strokeWidth: 1.8 },
            encoding: {
              x,
              y: { field: 'mean', type: 'quantitative', title: metricTitle },
              color: colour,
              detail: { field: 'series', type: 'nominal' },
              shape: { field: 'probe', type: 'nominal', title: 'Probe', scale: { domain: probes } },
              tooltip: [
                { field: 'series', type: 'nominal', title: 'model · probe' },
                { field: 'budget', type: 'nominal', title: 'budget' },
                { field: 'x', type: 'quantitative', title: 'labels per class', format: '.3~g' },
                { field: 'text', type: 'nominal', title: '% mean ± std' },
                { field: 'draws', type: 'quantitative', title: 'draws' },
              ],
            },
          },
          // The +-1 std band, one per (model, probe); after the lines, whose symbols the legend then shows.
          { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'low', type: 'quantitative', title: metricTitle }, y2: { field: 'high' }, color: colour, detail: { field: 'series', type: 'nominal' } } },
        ],
      },
      ...(levels.length > 0 ? [{
        data: { values: levels },
        mark: { type: 'rule' as const, strokeDash: [6, 4], strokeWidth: 1.4 },
        encoding: {
          y: { field: 'value', type: 'quantitative' as const },
          color: colour,
          tooltip: [{ field: 'model', type: 'nominal' as const, title: 'model' }, { field: 'text', type: 'nominal' as const, title: 'zero-shot on the test images, %' }],
        },
      }] : []),
    ],
  };
}
