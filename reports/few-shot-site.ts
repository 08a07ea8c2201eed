/**
 * The few-shot page of the site: per dataset the label-efficiency chart, the headline
 * and the table (few-shot.ts builds the numbers, few-shot-page.ts the strings,
 * charts/label-efficiency.ts the chart). Written only when there are few-shot records.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.ts';
import type { VegaLiteSpec } from './render.ts';
import { labelEfficiencySpec } from './charts/label-efficiency.ts';
import { type FewShotBoard, TARGET_SHARE } from './few-shot.ts';
import { fewShotHeadlines, fewShotTable } from './few-shot-page.ts';
import { type ChartView, renderPage } from './site.ts';

export const FEW_SHOT_PAGE = 'few-shot.html';

export interface FewShotSiteOptions {
  out: string;
  board: FewShotBoard;
  /** Writes a chart's spec, SVG and PNG beside the pages (build.ts). */
  writeChart: (job: { name: string; vegaLite: VegaLiteSpec }) => Promise<ChartView>;
  /** The fields every page prints (version, date, records read). */
  common: Record<string, unknown>;
}

/** Writes few-shot.html; returns its path, or undefined when no record is few-shot. */
export async function writeFewShotSite(options: FewShotSiteOptions): Promise<string | undefined> {
  const { board } = options;
  if (board.benchmarks.length === 0 && board.skipped.length === 0) return undefined;
  const benchmarks = [];
  for (const benchmark of board.benchmarks) {
    const chart = await options.writeChart({ name: `label-efficiency-${benchmark.slug}`, vegaLite: labelEfficiencySpec(benchmark) });
    benchmarks.push({
      dataset: benchmark.dataset,
      label: benchmark.label,
      slug: benchmark.slug,
      task: benchmark.task,
      metric: benchmark.metric,
      budgetKind: benchmark.budgetKind === 'total' ? 'in total (x: the total divided by the classes)' : 'per class',
      classes: benchmark.classes,
      demo: benchmark.demo,
      headlines: fewShotHeadlines(benchmark),
      chart,
      caption: `${benchmark.metric} by labelled images per class (log scale): mean over the draws of each budget, band ±1 std; dashed: each model's zero-shot score on the same test images.`,
      table: fewShotTable(benchmark),
    });
  }
  const page = join(options.out, FEW_SHOT_PAGE);
  writeFileAtomic(page, renderPage('few-shot', {
    ...options.common,
    pageTitle: 'Few-shot probes · msclip-bench leaderboard',
    anyDemo: board.benchmarks.some((benchmark) => benchmark.demo),
    targetPercent: Math.round(TARGET_SHARE * 100),
    benchmarks,
    skipped: board.skipped,
  }));
  return page;
}

/** leaderboard.json's few-shot part: per dataset and series, the curve and the headline. */
export function fewShotJson(board: FewShotBoard): unknown {
  return board.benchmarks.map((benchmark) => ({
    dataset: benchmark.dataset,
    metric: benchmark.metric,
    series: benchmark.series.map((series) => ({
      model: series.model, probe: series.probe, condition: series.condition || null,
      points: series.points, zero_shot: series.zeroShot, largest: series.largest,
      labels_per_class_to_95: series.labelsTo95, budget_to_95: series.budgetTo95,
    })),
  }));
}
