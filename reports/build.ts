/**
 * buildReport: result folders -> a static leaderboard site.
 *
 * 1. Read every record under the result folders; keep the newest per identity
 *    (model, dataset, template set, evaluation, probe, condition) and remember what it
 *    replaced. The main table, radar and benchmark pages take the zero-shot, all-band
 *    records; few-shot records get the few-shot page (few-shot-site.ts).
 * 2. Build the view model (leaderboard.ts): ranks, radar scaling, headlines, baseline;
 *    then, from the logits saved beside the records, the bootstrap intervals, paired
 *    comparisons with the best, ties and headline intervals (significance.ts).
 * 3. Build the chart specs (charts/*.ts) and write each beside the pages as JSON
 *    (*.vg.json for Vega, *.vl.json for Vega-Lite), SVG and PNG.
 * 4. Render index.html and one page per benchmark with the SVG inlined, so the
 *    charts show with JavaScript off and nothing is fetched.
 * 5. Write leaderboard.json, the view model's numbers for other tools.
 */
import { provenanceBase } from '../core/project.ts';
import { join, relative, resolve } from 'node:path';
import { ErrorCode, UserError } from '../core/errors.ts';
import { readRecordArrays } from '../records/arrays.ts';
import { newestRecords, readRecords, recordDate, type ResultRecord } from '../records/records.ts';
import { writeFileAtomic } from '../core/atomic.ts';
import { barsSpec } from './charts/bars.ts';
import { gapSpec } from './charts/gap.ts';
import { heatmapSpec } from './charts/heatmap.ts';
import { radarSpec } from './charts/radar.ts';
import { buildLeaderboard, type Headline, type Leaderboard } from './leaderboard.ts';
import { benchmarkTable, headlineViews, leaderboardTable, perClassTable, provenanceRows, scalingNote } from './page-model.ts';
import { radarSignificanceNote } from './page-significance.ts';
import { compileVegaLite, inlineSvg, renderPng, renderSvg, type VegaLiteSpec, type VegaSpec } from './render.ts';
import { computeSignificance } from './significance.ts';
import { buildFewShot, isLeaderboardRecord } from './few-shot.ts';
import { FEW_SHOT_PAGE, fewShotJson, writeFewShotSite } from './few-shot-site.ts';
import { type ChartView, renderPage } from './site.ts';

export interface BuildReportOptions {
  /** Result folders, searched recursively for records. */
  results: string[];
  /** Output folder for the site (created; files in it are replaced). */
  out: string;
  /** Baseline entry for the gap chart (default: the best RGB model). */
  baseline?: string;
  log?: (line: string) => void;
  /** Smoothing parameter of the radar (default scaling.ts RADAR_EPSILON). */
  epsilon?: number;
  /**
   * Resamples (0 = no comparisons) and seed of the paired comparisons. Default: the
   * records' own `ci_method` (the largest resample count among them), else none.
   */
  bootstrap?: { resamples: number; seed: number };
}

export interface BuildReportResult {
  /** Path of index.html. */
  index: string;
  /** Every HTML page, index first. */
  pages: string[];
  /** Every chart file written (spec JSON, SVG, PNG). */
  charts: string[];
  /** leaderboard.json */
  json: string;
  records: number;
  superseded: number;
  baseline: string | null;
  headlines: Headline[];
  leaderboard: Leaderboard;
}

interface ChartJob {
  name: string;
  vega?: VegaSpec;
  vegaLite?: VegaLiteSpec;
}

const packageVersion = provenanceBase().package_version;

async function writeChart(out: string, job: ChartJob, written: string[]): Promise<ChartView> {
  const specFile = job.vega ? `${job.name}.vg.json` : `${job.name}.vl.json`;
  const spec = job.vega ?? compileVegaLite(job.vegaLite!);
  const svg = await renderSvg(spec);
  writeFileAtomic(join(out, specFile), `${JSON.stringify(job.vega ?? job.vegaLite, null, 2)}\n`);
  writeFileAtomic(join(out, `${job.name}.svg`), svg);
  writeFileAtomic(join(out, `${job.name}.png`), renderPng(svg));
  written.push(join(out, specFile), join(out, `${job.name}.svg`), join(out, `${job.name}.png`));
  return {
    name: job.name,
    svg: inlineSvg(svg, job.name),
    svgFile: `${job.name}.svg`,
    pngFile: `${job.name}.png`,
    specFile,
    specKind: job.vega ? 'Vega' : 'Vega-Lite',
  };
}

export async function buildReport(options: BuildReportOptions): Promise<BuildReportResult> {
  const log = options.log ?? (() => {});
  const out = resolve(options.out);
  if (options.results.length === 0) throw new UserError(ErrorCode.usage, 'no result folder given: pass --results DIR (default results)');

  // 1. Records.
  const loaded = readRecords(options.results);
  if (loaded.length === 0) {
    throw new UserError(ErrorCode.recordsInvalid, `no result records under ${options.results.join(', ')}: run npm run evaluate first, or pass --results with the folder it wrote`, options.results[0]);
  }
  const { kept, superseded } = newestRecords(loaded);
  log(`Report: ${loaded.length} records from ${options.results.join(', ')}${superseded.length ? ` (${superseded.length} superseded by newer runs)` : ''}`);

  // 2. View model, then the uncertainty from the saved logits.
  const board = buildLeaderboard({ kept: kept.filter(({ record }) => isLeaderboardRecord(record)), superseded, recordsRead: loaded.length, baseline: options.baseline, epsilon: options.epsilon });
  const fewShot = buildFewShot(kept);
  const bootstrap = options.bootstrap ?? recordedBootstrap(kept.map(({ record }) => record));
  if (bootstrap && bootstrap.resamples > 0) {
    const started = performance.now();
    const recordAt = new Map(kept.map(({ path, record }) => [path, record]));
    board.significance = computeSignificance(board, (path) => readRecordArrays(path, recordAt.get(path)!), bootstrap);
    if (board.significance.datasetsWithLogits.length > 0) {
      log(`Report: paired bootstrap (${bootstrap.resamples} resamples, seed ${bootstrap.seed}) on ${board.significance.datasetsWithLogits.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  // 3. Charts.
  const charts: string[] = [];
  const radar = await writeChart(out, { name: 'radar', vega: radarSpec(board) }, charts);
  const heatmap = await writeChart(out, { name: 'heatmap', vegaLite: heatmapSpec(board) }, charts);
  const gap = board.baseline && board.entries.length > 1 ? await writeChart(out, { name: 'gap', vegaLite: gapSpec(board) }, charts) : null;
  const bars = new Map<string, ChartView>();
  for (const benchmark of board.benchmarks) {
    bars.set(benchmark.dataset, await writeChart(out, { name: `bars-${benchmark.slug}`, vegaLite: barsSpec(board, benchmark) }, charts));
  }

  // 4. Pages.
  const generatedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const common = {
    packageVersion,
    generatedAt,
    recordsRead: board.recordsRead,
  };
  const headlineLabels = board.headlineDatasets.map((dataset) => board.benchmarks.find((benchmark) => benchmark.dataset === dataset)!.label);
  const scaling = scalingNote(board);
  const baselineReasons = {
    flag: 'chosen with --baseline',
    'best-rgb': 'the best-ranked RGB model',
    'top-ranked': 'no RGB model among the results: the top-ranked model',
  } as const;
  const index = join(out, 'index.html');
  writeFileAtomic(index, renderPage('index', {
    ...common,
    pageTitle: 'msclip-bench leaderboard',
    anyDemo: board.entries.some((entry) => entry.demo),
    entries: board.entries.length,
    benchmarkCount: board.benchmarks.length,
    benchmarks: board.benchmarks.map((benchmark) => ({ label: benchmark.label, href: `benchmark-${benchmark.slug}.html`, demo: benchmark.demo })),
    fewShot: fewShot.benchmarks.map((benchmark) => ({ label: benchmark.label, href: `${FEW_SHOT_PAGE}#few-shot-${benchmark.slug}`, demo: benchmark.demo })),
    headlines: headlineViews(board),
    headlineDatasets: headlineLabels.length > 1 ? `the ${headlineLabels.length} benchmarks (${headlineLabels.join(', ')})` : `the benchmark ${headlineLabels.join('')}`,
    charts: { radar, heatmap, gap },
    radarCaption: `One polygon per model. Every axis is scaled by a smoothed min-max, s(x) = (x - min + ε(max - min)) / ((1 + ε)(max - min)) with ε = ${scaling.epsilon}: the lowest score sits at ${scaling.floor} of the radius, the highest on the outer ring, and both are printed on the axis. ${radarSignificanceNote(board)}`,
    significanceNote: board.significance?.datasetsWithLogits.length
      ? `Each gain comes with its 95% interval (paired bootstrap: both models on the same resampled images, ${board.significance.resamples} resamples) and two-sided p-value.`
      : '',
    table: leaderboardTable(board),
    provenance: provenanceRows(board),
    baseline: board.baseline ? { label: board.baseline.label, reason: baselineReasons[board.baseline.reason] } : { label: '', reason: '' },
    resultFolders: options.results.join(', '),
    supersededCount: superseded.length,
    superseded: superseded.map(({ record, path }) => ({ model: record.model, dataset: record.dataset, templates: record.templates, date: recordDate(record), path })),
  }));
  const pages = [index];
  for (const benchmark of board.benchmarks) {
    const page = join(out, `benchmark-${benchmark.slug}.html`);
    writeFileAtomic(page, renderPage('benchmark', {
      ...common,
      pageTitle: `${benchmark.label} · msclip-bench leaderboard`,
      benchmark: { label: benchmark.label, dataset: benchmark.dataset, task: benchmark.task, demo: benchmark.demo, classCount: benchmark.classes.length },
      table: benchmarkTable(board, benchmark),
      chart: bars.get(benchmark.dataset)!,
      perClass: [
        { title: 'Per-class accuracy (%)', table: perClassTable(board, benchmark, 'accuracy') },
        { title: 'Per-class AP@100 (%)', table: perClassTable(board, benchmark, 'ap') },
      ],
      provenance: provenanceRows(board, benchmark.dataset),
    }));
    pages.push(page);
  }
  const fewShotPage = await writeFewShotSite({ out, board: fewShot, common, writeChart: (job) => writeChart(out, job, charts) });
  if (fewShotPage) pages.push(fewShotPage);
  for (const { path, reason } of fewShot.skipped) log(`Report: few-shot record ${path} left out: ${reason}`);

  // 5. Machine-readable summary.
  const json = join(out, 'leaderboard.json');
  writeFileAtomic(json, `${JSON.stringify({ ...summaryJson(board) as object, fewShot: fewShotJson(fewShot) }, null, 2)}\n`);
  const shown = relative(process.cwd(), index);
  log(`Report: ${shown.startsWith('..') ? index : shown} (${pages.length} pages, ${charts.length} chart files)`);

  return {
    index, pages, charts, json,
    records: loaded.length,
    superseded: superseded.length,
    baseline: board.baseline?.label ?? null,
    headlines: board.headlines,
    leaderboard: board,
  };
}

/** The records' own bootstrap settings: the largest resample count among their `ci_method`s, with its seed. */
function recordedBootstrap(records: readonly ResultRecord[]): { resamples: number; seed: number } | undefined {
  const methods = records.flatMap((record) => (record.ci_method ? [record.ci_method] : []));
  if (methods.length === 0) return undefined;
  const largest = methods.reduce((best, method) => (method.resamples > best.resamples ? method : best));
  return { resamples: largest.resamples, seed: largest.seed };
}

/** The numbers of the leaderboard without the records themselves. */
export function summaryJson(board: Leaderboard): unknown {
  return {
    epsilon: board.epsilon,
    entries: board.entries.map((entry) => ({
      label: entry.label, model: entry.model, templates: entry.templates, kind: entry.kind, demo: entry.demo, rank: entry.rank, mean: entry.meanScore,
      scores: Object.fromEntries(board.axes.map((axis) => [axis.id, board.scores[entry.id][axis.id]])),
      gaps: board.gaps[entry.id],
    })),
    axes: board.axes,
    headlines: board.headlines,
    headlineDatasets: board.headlineDatasets,
    baseline: board.baseline,
    superseded: board.superseded.map(({ path }) => path),
    significance: board.significance ?? null,
  };
}
