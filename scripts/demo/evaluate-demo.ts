/**
 * Zero-shot metrics of demo bundles on the demo test suite, through the harness's own
 * data path and zero-shot task (embeddings/encode.ts, tasks/zero-shot/): the numbers demo:train records and checks, and the
 * path the "demo catches a bug" test drives with a deliberately broken input spec.
 */
import { openBundle, preprocessSpecOf } from '../../adapters/clip.ts';
import type { ImageTextEncoder } from '../../adapters/types.ts';
import { EUROSAT_DEMO_CLASSES, NON_VISIBLE_CLASSES } from '../../datasets/demo/layouts.ts';
import { imageFolderClassName } from '../../datasets/image-folder.ts';
import { listDataset } from '../../datasets/registry.ts';
import type { DatasetListing } from '../../datasets/types.ts';
import { encodeItems } from '../../embeddings/encode.ts';
import type { PreprocessSpec } from '../../preprocess/spec.ts';
import { zeroShot } from '../../tasks/zero-shot/index.ts';
import { WorkerPool } from '../../preprocess/stream.ts';
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

function chanceLevels(listing: DatasetListing): { classification: number; retrieval: number } {
  const positives = new Array<number>(listing.classes.length).fill(0);
  for (const item of listing.items) for (const label of item.labels) positives[label]++;
  const retrieval = positives.reduce((sum, count) => sum + count / listing.items.length, 0) / listing.classes.length;
  return { classification: listing.task === 'multi-label' ? 0.5 : 1 / listing.classes.length, retrieval };
}

export interface EvaluateDemoOptions {
  /**
   * Encoders by result name (open bundles with openBundle). `spec` replaces the
   * model's own preprocessing (to break it on purpose); default: its manifest's.
   */
  models: { name: string; encoder: ImageTextEncoder; spec?: PreprocessSpec }[];
  datasetDir: string;
  datasets?: readonly string[];
  workers?: number;
}

export async function evaluateDemo(options: EvaluateDemoOptions): Promise<Record<string, DemoModelMetrics>> {
  const listings: DatasetListing[] = [];
  for (const name of options.datasets ?? DEMO_DATASETS) listings.push(await listDataset(name, options.datasetDir, { skipInvalid: false }));
  const pool = new WorkerPool(options.workers ?? 1);
  const templates = loadTemplateSet('msclip');
  const result: Record<string, DemoModelMetrics> = {};
  try {
    for (const { name, encoder, spec } of options.models) {
      const entry = (result[name] ??= { datasets: {}, chance: {}, nonVisibleRecall: Number.NaN, perClassRecall: {} });
      for (const listing of listings) {
        // The same data path and task as evaluate, without records: embeddings, then zero-shot metrics.
        const encoded = await encodeItems({ pool, dataset: listing.dataset, spec: spec ?? preprocessSpecOf(encoder), items: listing.items, batchSize: 64, encoders: [encoder], skipInvalid: false });
        const output = await zeroShot.run({
          dataset: listing.dataset,
          labelKind: listing.task,
          classes: listing.classes,
          labels: encoded.kept.map((index) => listing.items[index].labels),
          embeddings: encoded.embeddings[0],
          encoder,
          templates,
        });
        entry.datasets[listing.dataset] = output.metrics;
        entry.chance[listing.dataset] = chanceLevels(listing);
        if (listing.dataset === 'EuroSAT_MS') {
          for (const folder of Object.keys(EUROSAT_DEMO_CLASSES)) {
            const index = listing.classes.indexOf(imageFolderClassName(folder));
            entry.perClassRecall[imageFolderClassName(folder)] = index < 0 || !Number.isFinite(output.perClass[index].recall) ? null : output.perClass[index].recall;
          }
          const recalls = NON_VISIBLE_CLASSES.map((folder) => entry.perClassRecall[imageFolderClassName(folder)] ?? 0);
          entry.nonVisibleRecall = recalls.reduce((sum, value) => sum + value, 0) / recalls.length;
        }
      }
    }
    return result;
  } finally {
    await pool.close();
  }
}

/** Opens bundle folders by name. */
export async function openDemoBundles(bundles: readonly { name: string; directory: string }[]): Promise<{ name: string; encoder: ImageTextEncoder }[]> {
  return Promise.all(bundles.map(async ({ name, directory }) => ({ name, encoder: await openBundle(directory, { device: 'cpu' }) })));
}
