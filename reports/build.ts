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
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ErrorCode, UserError } from '../core/errors.ts';
import { readRecordArrays } from '../records/arrays.ts';
import { newestRecords, readRecords, recordDate, type ResultRecord } from '../records/records.ts';
import { processIsAlive, writeFileAtomic } from '../core/atomic.ts';
import { bandConditionSpec, bandConditionViews, type BandConditionView } from './band-conditions.ts';
import { barsSpec } from './charts/bars.ts';
import { gapSpec } from './charts/gap.ts';
import { heatmapSpec } from './charts/heatmap.ts';
import { radarSpec } from './charts/radar.ts';
import { buildLeaderboard, type Headline, type Leaderboard } from './leaderboard.ts';
import { benchmarkTable, headlineViews, leaderboardTable, perClassTable, provenanceRows, scalingNote } from './page-model.ts';
import { radarSignificanceNote } from './page-significance.ts';
import { compileVegaLite, inlineSvg, renderPng, renderSvg, type VegaLiteSpec, type VegaSpec } from './render.ts';
import { computeSignificance } from './significance.ts';
import { buildFewShot } from './few-shot.ts';
import { isLeaderboardRecord } from './values.ts';
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

/**
 * The site is built in a staging folder beside `--out` and moved into place whole, so
 * a report that fails half way (or is killed) never leaves a half-built site, and the
 * previous site stays until the new one is complete.
 */
export async function buildReport(options: BuildReportOptions): Promise<BuildReportResult> {
  const final = resolve(options.out);
  mkdirSync(dirname(final), { recursive: true });
  // A killed report's staging folders (their process gone) are removed.
  for (const name of readdirSync(dirname(final))) {
    for (const kind of ['.partial-', '.old-']) {
      const prefix = `${basename(final)}${kind}`;
      const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
      if (Number.isInteger(pid) && !processIsAlive(pid)) rmSync(join(dirname(final), name), { recursive: true, force: true });
    }
  }
  const staging = `${final}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  let result: BuildReportResult;
  try {
    result = await buildInto(options, staging);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  const previous = `${final}.old-${process.pid}`;
  if (existsSync(final)) renameSync(final, previous);
  renameSync(staging, final);
  rmSync(previous, { recursive: true, force: true });
  const moved = (path: string): string => join(final, relative(staging, path));
  const index = moved(result.index);
  const shown = relative(process.cwd(), index);
  (options.log ?? (() => {}))(`Report: ${shown.startsWith('..') ? index : shown} (${result.pages.length} pages, ${result.charts.length} chart files)`);
  return { ...result, index, pages: result.pages.map(moved), charts: result.charts.map(moved), json: moved(result.json) };
}

async function buildInto(options: BuildReportOptions, out: string): Promise<BuildReportResult> {
  const log = options.log ?? (() => {});
  if (options.results.length === 0) throw new UserError(ErrorCode.usage, 'no result folder given: pass --results DIR (default results)');

  // 1. Records.
  const loaded = readRecords(options.results, (file, reason) => log(`warning: skipped ${file}: ${reason}; fix or remove it`));
  if (loaded.length === 0) {
    throw new UserError(ErrorCode.recordsInvalid, `no result records under ${options.results.join(', ')}: run npm run evaluate first, or pass --results with the folder it wrote`, options.results[0]);
  }
  const { kept, superseded } = newestRecords(loaded);
  log(`Report: ${loaded.length} records from ${options.results.join(', ')}${superseded.length ? ` (${superseded.length} superseded by newer runs)` : ''}`);

  // 2. View model, then the uncertainty from the saved logits.
  // The main table, radar and headlines are zero-shot with all bands; few-shot curves and band conditions get their own pages and sections.
  const main = kept.filter(({ record }) => isLeaderboardRecord(record));
  const conditionViews = bandConditionViews(kept);
  const board = buildLeaderboard({ kept: main, superseded, recordsRead: loaded.length, baseline: options.baseline, epsilon: options.epsilon });
  const fewShot = buildFewShot(kept);
  const bootstrap = options.bootstrap ?? recordedBootstrap(main.map(({ record }) => record));
  if (bootstrap && bootstrap.resamples > 0) {
    const started = performance.now();
    const recordAt = new Map(main.map(({ path, record }) => [path, record]));
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
  const conditionCharts = new Map<string, ChartView>();
  for (const view of conditionViews) {
    const benchmark = board.benchmarks.find((candidate) => candidate.dataset === view.dataset);
    if (benchmark && view.rows.length > 0) conditionCharts.set(view.dataset, await writeChart(out, { name: `bands-${benchmark.slug}`, vegaLite: bandConditionSpec(view, benchmark.label) }, charts));
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
      bands: bandConditionPage(conditionViews.find((view) => view.dataset === benchmark.dataset), conditionCharts.get(benchmark.dataset)),
    }));
    pages.push(page);
  }
  const fewShotPage = await writeFewShotSite({ out, board: fewShot, common, writeChart: (job) => writeChart(out, job, charts) });
  if (fewShotPage) pages.push(fewShotPage);
  for (const { path, reason } of fewShot.skipped) log(`Report: few-shot record ${path} left out: ${reason}`);

  // 5. Machine-readable summary.
  const json = join(out, 'leaderboard.json');
  writeFileAtomic(json, `${JSON.stringify({ ...summaryJson(board) as object, fewShot: fewShotJson(fewShot) }, null, 2)}\n`);
  return {
    index, pages, charts, json,
    records: loaded.length,
    superseded: superseded.length,
    baseline: board.baseline?.label ?? null,
    headlines: board.headlines,
    leaderboard: board,
  };
}

/** The missing-bands section of a benchmark page, or undefined when no record has a condition. */
function bandConditionPage(view: BandConditionView | undefined, chart: ChartView | undefined): unknown {
  if (!view || view.rows.length === 0) return undefined;
  const signed = (value: number | null): string => (value === null ? '-' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`);
  return {
    chart,
    metrics: view.metrics,
    rows: view.rows.map((row) => ({
      model: row.model, condition: row.condition, dropped: row.dropped, fill: row.fill,
      cells: row.scores.map((score) => ({ value: score.value === null ? '-' : score.value.toFixed(2), delta: signed(score.delta), sort: score.delta ?? '' })),
    })),
    notApplicable: view.notApplicable,
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
