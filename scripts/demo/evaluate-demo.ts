/**
 * Zero-shot metrics of demo bundles on the demo test suite, through the harness's own
 * evaluator (harness/evaluate.ts): the numbers demo:train records and checks, and the
 * path the "demo catches a bug" test drives with a deliberately broken input spec.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBundle } from '../../adapters/clip.ts';
import type { BundleManifest, ImageTextEncoder } from '../../adapters/types.ts';
import { EUROSAT_DEMO_CLASSES, NON_VISIBLE_CLASSES } from '../../datasets/demo/layouts.ts';
import { imageFolderClassName } from '../../datasets/image-folder.ts';
import { listDataset } from '../../datasets/registry.ts';
import type { DatasetListing } from '../../datasets/types.ts';
import { evaluate } from '../../harness/evaluate.ts';
import { WorkerPool } from '../../harness/pipeline.ts';
import { loadTemplateSet } from '../../templates/index.ts';

export const DEMO_DATASETS = ['EuroSAT_MS', 'METERML_MS', 'BigEarthNet_MS'] as const;

/** Metrics of one model: per dataset the record's metrics, plus the EuroSAT-style classes only non-visible bands separate. */
export interface DemoModelMetrics {
  datasets: Record<string, Record<string, number | null>>;
  /**
   * Per dataset, what guessing scores: classification 1/classes (multi-label: 0.5, the
   * expected class accuracy of random logits under the "above the mean of the others"
   * rule), retrieval the mean share of positives per class (the AP of a random ranking).
   */
  chance: Record<string, { classification: number; retrieval: number }>;
  /** Mean recall over NON_VISIBLE_CLASSES of the EuroSAT-style set. */
  nonVisibleRecall: number;
  perClassRecall: Record<string, number | null>;
}

/** An encoder whose manifest says something else about its input (to break preprocessing on purpose). */
export function withImageSpec(encoder: ImageTextEncoder, image: Partial<BundleManifest['image']>): ImageTextEncoder {
  const manifest: BundleManifest = { ...encoder.manifest, image: { ...encoder.manifest.image, ...image } };
  return {
    manifest,
    provider: encoder.provider,
    encodeImages: (pixels, count) => encoder.encodeImages(pixels, count),
    encodeTexts: (texts) => encoder.encodeTexts(texts),
    dispose: () => encoder.dispose(),
  };
}

function chanceLevels(listing: DatasetListing): { classification: number; retrieval: number } {
  const positives = new Array<number>(listing.classes.length).fill(0);
  for (const item of listing.items) for (const label of item.labels) positives[label]++;
  const retrieval = positives.reduce((sum, count) => sum + count / listing.items.length, 0) / listing.classes.length;
  return { classification: listing.task === 'multi-label' ? 0.5 : 1 / listing.classes.length, retrieval };
}

export interface EvaluateDemoOptions {
  /** Encoders by result name (open bundles with openBundle, possibly wrapped). */
  models: { name: string; encoder: ImageTextEncoder }[];
  datasetDir: string;
  datasets?: readonly string[];
  workers?: number;
  log?: (line: string) => void;
}

export async function evaluateDemo(options: EvaluateDemoOptions): Promise<Record<string, DemoModelMetrics>> {
  const log = options.log ?? (() => {});
  const listings: DatasetListing[] = [];
  for (const name of options.datasets ?? DEMO_DATASETS) listings.push(await listDataset(name, options.datasetDir, { skipInvalid: false }));
  const savePath = await mkdtemp(join(tmpdir(), 'msclip-demo-metrics-'));
  const pool = new WorkerPool(options.workers ?? 1);
  try {
    const templates = loadTemplateSet('msclip');
    const outcomes = await evaluate({
      models: options.models,
      datasets: listings.map((listing) => ({ listing })),
      templates,
      batchSize: 64,
      savePath,
      runId: 'demo-metrics',
      saveLogits: false,
      skipInvalid: false,
      pool,
      demo: true,
      log,
      quiet: true,
    });
    const result: Record<string, DemoModelMetrics> = {};
    for (const outcome of outcomes) {
      if (!outcome.record) throw new Error(`${outcome.model} on ${outcome.dataset}: ${outcome.error ?? 'no record'}`);
      const entry = (result[outcome.model] ??= { datasets: {}, chance: {}, nonVisibleRecall: Number.NaN, perClassRecall: {} });
      entry.datasets[outcome.dataset] = outcome.record.metrics;
      entry.chance[outcome.dataset] = chanceLevels(listings.find((listing) => listing.dataset === outcome.dataset)!);
      if (outcome.dataset === 'EuroSAT_MS') {
        for (const folder of Object.keys(EUROSAT_DEMO_CLASSES)) entry.perClassRecall[imageFolderClassName(folder)] = outcome.record.per_class[imageFolderClassName(folder)]?.recall ?? null;
        const recalls = NON_VISIBLE_CLASSES.map((folder) => entry.perClassRecall[imageFolderClassName(folder)] ?? 0);
        entry.nonVisibleRecall = recalls.reduce((sum, value) => sum + value, 0) / recalls.length;
      }
    }
    return result;
  } finally {
    await pool.close();
    await rm(savePath, { recursive: true, force: true });
  }
}

/** Opens bundle folders by name. */
export async function openDemoBundles(bundles: readonly { name: string; directory: string }[]): Promise<{ name: string; encoder: ImageTextEncoder }[]> {
  return Promise.all(bundles.map(async ({ name, directory }) => ({ name, encoder: await openBundle(directory, { device: 'cpu' }) })));
}
