/**
 * The one home of every default: the commands' flags and the library entry
 * (cli/library.ts) take theirs from here, so evaluate, classify and retrieve run the
 * same data path with the same settings.
 */
import type { Device } from '../adapters/types.ts';
import { userCacheRoot } from '../core/project.ts';

export const DEFAULTS = {
  /** The reference CLI's default model. */
  model: 'Llama3-MS-CLIP-Base',
  /** The reference harness's default template set. */
  templates: 'msclip',
  /** The default evaluation task. */
  task: 'zero-shot',
  /** Zero-shot scores every listed image, as the reference does (--split test: the test split file's). */
  split: 'all' as const,
  /** Few-shot budgets: labelled images per class (--shots; single-label datasets). */
  shots: [1, 2, 5, 10, 20, 50, 100, 'all'] as const,
  /** Few-shot budgets: labelled images in total (--labels; multi-label datasets, BigEarthNet). `all` is opt-in there. */
  labels: [10, 20, 50, 100, 200, 500, 1000] as const,
  /** Few-shot draws per budget (--seeds). */
  seeds: 10,
  /** Few-shot probes (--probe). */
  probes: ['logreg', 'knn'] as const,
  /** Logistic regression's C (--probe-c): chosen per draw on val, or on a fold of the draw. */
  probeC: 'auto' as const,
  /** The most val images C is chosen on; a larger val split gives a seeded sample. */
  fewShotValLimit: 10000,
  datasetDir: 'benchmark_datasets',
  modelsDir: 'models',
  savePath: 'results',
  reportDir: 'reports/site',
  resultsDir: 'results',
  device: 'auto' as Device,
  /** Images per image-tower call, for every command. */
  batchSize: 64,
  /** Preprocessing threads: none for small inputs, else MSCLIP_WORKERS or every core. */
  workers: 'auto' as const,
  allowExport: true,
  /** How a band condition's missing bands are filled. */
  fill: 'channel-mean' as const,
  /** Images per query in retrieve. */
  topK: 5,
  /** Write logits, targets and image ids beside every evaluate record (--no-save-logits turns it off). */
  saveLogits: true,
  /** Bootstrap resamples behind every record's 95% intervals and the report's comparisons (0 = none). */
  bootstrap: 1000,
  /** Seed of those resamples (recorded in ci_method). */
  bootstrapSeed: 0,
  /**
   * The largest image read, in pixels (width x height): a tile's header can declare any
   * size and decoding allocates it up front, so larger ones are refused before decoding
   * (--max-image-pixels raises the limit). 10,000 x 10,000 is far above any benchmark tile.
   */
  maxImagePixels: 10_000 * 10_000,
  /**
   * The embedding store (--cache-dir): `$XDG_CACHE_HOME/msclip-bench`, else
   * `~/.cache/msclip-bench`. Read when used, so the run's own environment decides.
   */
  get cacheDir(): string {
    return userCacheRoot();
  },
} as const;
