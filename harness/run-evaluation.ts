/**
 * Wires an evaluate request to the pipeline: encoders, dataset listings, the
 * worker pool, records, the summary table and the report. Kept apart from the CLI
 * so that tests and the benchmark drive the same path.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Device, ImageTextEncoder } from '../adapters/types.ts';
import { loadEncoder, openBundle } from '../adapters/clip.ts';
import { findModel } from '../adapters/registry.ts';
import { DATASETS, resolveDataset } from '../datasets/registry.ts';
import { loadTemplateSet } from '../templates/index.ts';
import { evaluate, type EvaluationOutcome } from './evaluate.ts';
import { WorkerPool, defaultWorkerCount } from './pipeline.ts';
import { newRunId } from './records.ts';
import { demoModelDirectories, demoModelDirectory, ensureDemoDatasets, isDemoModel } from './demo.ts';
import type { DatasetListing } from '../datasets/types.ts';

export interface EvaluationRequest {
  models: string[];
  templates: string;
  datasets: string[];
  datasetDir: string;
  modelsDir: string;
  checkpoint?: string;
  device: Device;
  batchSize: number;
  workers?: number;
  savePath: string;
  saveLogits: boolean;
  skipInvalid: boolean;
  allowExport: boolean;
  report: boolean;
  reportDir: string;
  demo: boolean;
  json: boolean;
  quiet?: boolean;
}

export interface EvaluationSummary {
  runId: string;
  demo: boolean;
  savePath: string;
  results: { model: string; dataset: string; task: string; n_images: number; metrics: Record<string, number | null>; record: string; seconds: number }[];
  errors: { model: string; dataset: string; error: string }[];
  failed: number;
  report?: string;
}

function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : (100 * value).toFixed(2);
}

/** The table printed at the end: one row per (model, dataset). */
export function summaryTable(outcomes: readonly EvaluationOutcome[]): string {
  const header = ['model', 'dataset', 'images', 'acc1 / class-acc', 'acc5', 'mAP@100', 'seconds'];
  const rows = outcomes.map((outcome) => {
    if (!outcome.record) return [outcome.model, outcome.dataset, '-', 'FAILED', '-', '-', '-'];
    const { metrics, task, n_images: images, timings } = outcome.record;
    const classification = task === 'multi-label' ? metrics.Average_class_accuracy : metrics.acc1;
    const retrieval = task === 'multi-label' ? metrics.Ave_mAP : metrics.mAP;
    return [outcome.model, outcome.dataset, String(images), formatPercent(classification), formatPercent(metrics.acc5), formatPercent(retrieval), timings.seconds.toFixed(1)];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export async function runEvaluation(request: EvaluationRequest, log: (line: string) => void): Promise<EvaluationSummary> {
  // 1. Template set, models, datasets.
  const templates = loadTemplateSet(request.templates);
  let datasetDir = resolve(request.datasetDir);
  const encoders: { name: string; encoder: ImageTextEncoder }[] = [];
  if (request.demo) {
    log('Running the built-in demo (synthetic Sentinel-2 data, tiny demo models). For the real benchmark: put the datasets in benchmark_datasets/ (see DATASETS.md) and run npm run evaluate -- --model Llama3-MS-CLIP-Base');
    datasetDir = await ensureDemoDatasets(log);
  }
  const modelNames = request.demo && request.models.length === 0 ? demoModelDirectories().map(([name]) => name) : request.models;
  for (const name of modelNames) {
    const entry = findModel(name);
    if (encoders.some((existing) => existing.name === entry.name)) continue;
    if (isDemoModel(entry.name)) {
      // Demo models ship as bundles in the repository; a --models-dir copy wins.
      const exported = join(request.modelsDir, entry.name);
      const directory = existsSync(join(exported, 'bundle.json')) ? exported : demoModelDirectory(entry.name);
      encoders.push({ name: entry.name, encoder: await openBundle(directory, { device: request.device }) });
      continue;
    }
    const encoder = await loadEncoder({ name: entry.name, modelsDir: request.modelsDir, device: request.device, allowExport: request.allowExport, checkpoint: request.checkpoint });
    encoders.push({ name: entry.name, encoder });
  }
  for (const { name, encoder } of encoders) log(`${name}: ${encoder.manifest.image.kind} ${encoder.manifest.architecture}, ${encoder.manifest.image.bands.length} bands, on ${encoder.provider}`);

  const datasetNames = request.datasets.length > 0 ? request.datasets : DATASETS.map((module) => module.name);
  const listings: DatasetListing[] = [];
  const seen = new Set<string>();
  for (const name of datasetNames) {
    const { module } = resolveDataset(name);
    if (seen.has(module.name)) continue;
    seen.add(module.name);
    const listing = await module.list(join(datasetDir, module.folder), { skipInvalid: request.skipInvalid });
    listing.demo = listing.demo || request.demo;
    log(`${listing.dataset}: ${listing.items.length} images, ${listing.classes.length} classes (${listing.task}) from ${listing.root}`);
    listings.push(listing);
  }

  // 2-5. The pipeline proper.
  const runId = newRunId();
  const pool = new WorkerPool(request.workers ?? defaultWorkerCount());
  let outcomes: EvaluationOutcome[];
  try {
    outcomes = await evaluate({
      models: encoders,
      datasets: listings.map((listing) => ({ listing })),
      templates,
      batchSize: request.batchSize,
      savePath: request.savePath,
      runId,
      saveLogits: request.saveLogits,
      skipInvalid: request.skipInvalid,
      pool,
      demo: request.demo,
      log,
      quiet: request.quiet,
    });
  } finally {
    await pool.close();
    await Promise.all(encoders.map(({ encoder }) => encoder.dispose()));
  }

  // 6. Summary and report.
  log(`\n${summaryTable(outcomes)}\n`);
  const written = outcomes.filter((outcome) => outcome.written);
  if (written.length > 0) log(`Records: ${resolve(request.savePath, runId)}`);
  const errors = outcomes.filter((outcome) => outcome.error).map((outcome) => ({ model: outcome.model, dataset: outcome.dataset, error: outcome.error! }));
  const summary: EvaluationSummary = {
    runId,
    demo: request.demo,
    savePath: resolve(request.savePath),
    results: written.map((outcome) => ({
      model: outcome.model,
      dataset: outcome.dataset,
      task: outcome.record!.task,
      n_images: outcome.record!.n_images,
      metrics: outcome.record!.metrics,
      record: outcome.written!.path,
      seconds: outcome.record!.timings.seconds,
    })),
    errors,
    failed: errors.length,
  };
  if (request.report && written.length > 0) {
    const { buildReport } = await import('../reports/build.ts');
    const report = await buildReport({ results: [request.savePath], out: request.reportDir, log });
    summary.report = report.index;
    log(`Leaderboard: ${report.index}`);
  }
  return summary;
}
