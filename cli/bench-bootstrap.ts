/**
 * The bootstrap's speed, for `npm run bench` (all phases) and
 * `npm run bench -- --only bootstrap`: on synthetic logits of BigEarthNet's test-split
 * shape (125,866 images x 19 classes, about 1.5 labels per image), the time of
 * 1,000 resamples of
 *  1. a multi-label record's metrics including AP@100 (Average_class_accuracy,
 *     Ave_mAP, Ave_mAP_tm19), setup (ranking every class once) included;
 *  2. the accuracy-type metrics alone: multi-label Average_class_accuracy, and
 *     single-label acc1, acc5 and mean_per_class_recall on 125,866 images x 10 classes.
 * Medians over the repeats, wall-clock and this process's CPU time (on a shared machine
 * the CPU time is the steadier figure). Targets: 1 under 30 s, 2 under 2 s.
 */
import { bootstrapIntervals, type ResampledStatistic } from '../metrics/bootstrap.ts';
import { multiLabelStatistic, singleLabelStatistic } from '../metrics/bootstrap-statistics.ts';
import { Xoshiro128 } from '../metrics/random.ts';
import { median } from './bench-support.ts';

export interface BootstrapBenchOptions {
  images: number;
  resamples: number;
  repeats: number;
  log: (line: string) => void;
}

type Phases = { multiLabelWithAp: number; multiLabelAccuracy: number; singleLabelAccuracy: number };

export interface BootstrapBenchResult {
  images: number;
  resamples: number;
  /** Median wall-clock seconds per phase. */
  seconds: Phases;
  /** Median CPU seconds (user + system) per phase. */
  cpuSeconds: Phases;
}

function syntheticMultiLabel(n: number, k: number): { logits: Float32Array; targets: Uint8Array } {
  const random = new Xoshiro128(2024);
  const uniform = () => random.nextUint32() / 2 ** 32;
  const logits = new Float32Array(n * k);
  const targets = new Uint8Array(n * k);
  for (let index = 0; index < n * k; index++) {
    targets[index] = uniform() < 1.5 / k ? 1 : 0;
    // Cosine-like logits (x100): relevant images score higher on average, with overlap.
    logits[index] = 100 * (0.2 + 0.05 * (uniform() + uniform() - 1) + 0.03 * targets[index]);
  }
  return { logits, targets };
}

function syntheticSingleLabel(n: number, k: number): { logits: Float32Array; targets: Int32Array } {
  const random = new Xoshiro128(2025);
  const uniform = () => random.nextUint32() / 2 ** 32;
  const logits = new Float32Array(n * k);
  const targets = new Int32Array(n);
  for (let image = 0; image < n; image++) {
    targets[image] = random.below(k);
    for (let c = 0; c < k; c++) logits[image * k + c] = 2 * uniform() - 1 + (c === targets[image] ? 0.8 : 0);
  }
  return { logits, targets };
}

/** Wall and CPU seconds to build the statistic (when `build` does) and run `resamples` resamples. */
function time(build: () => ResampledStatistic, resamples: number): { wall: number; cpu: number } {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  bootstrapIntervals(build(), { resamples, seed: 0 });
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

export function benchBootstrap(options: BootstrapBenchOptions): BootstrapBenchResult {
  const { images, resamples, repeats, log } = options;
  const multi = syntheticMultiLabel(images, 19);
  const single = syntheticSingleLabel(images, 10);
  log(`bench bootstrap: ${resamples} resamples of ${images} images (synthetic logits), median of ${repeats}`);
  const runs = { multiLabelWithAp: [] as { wall: number; cpu: number }[], multiLabelAccuracy: [] as { wall: number; cpu: number }[], singleLabelAccuracy: [] as { wall: number; cpu: number }[] };
  const show = (phase: keyof Phases) => `${runs[phase].at(-1)!.wall.toFixed(2)} s (CPU ${runs[phase].at(-1)!.cpu.toFixed(2)} s)`;
  for (let run = 0; run < repeats; run++) {
    runs.multiLabelWithAp.push(time(() => multiLabelStatistic(multi.logits, images, 19, multi.targets), resamples));
    // Accuracy-type alone: the predictions are made once up front, as in a record's setup,
    // and left out of the timing so it shows the resampling cost.
    const multiAccuracy = multiLabelStatistic(multi.logits, images, 19, multi.targets, { retrieval: false });
    runs.multiLabelAccuracy.push(time(() => multiAccuracy, resamples));
    const singleAccuracy = singleLabelStatistic(single.logits, images, 10, single.targets, { retrieval: false });
    runs.singleLabelAccuracy.push(time(() => singleAccuracy, resamples));
    log(`  run ${run + 1}/${repeats}: with AP@100 ${show('multiLabelWithAp')}, multi-label accuracy ${show('multiLabelAccuracy')}, single-label accuracy ${show('singleLabelAccuracy')}`);
  }
  const medians = (pick: (timing: { wall: number; cpu: number }) => number): Phases => ({
    multiLabelWithAp: median(runs.multiLabelWithAp.map(pick)),
    multiLabelAccuracy: median(runs.multiLabelAccuracy.map(pick)),
    singleLabelAccuracy: median(runs.singleLabelAccuracy.map(pick)),
  });
  return { images, resamples, seconds: medians((timing) => timing.wall), cpuSeconds: medians((timing) => timing.cpu) };
}

/** The lines `npm run bench` prints. */
export function bootstrapBenchLines(result: BootstrapBenchResult): string[] {
  const { images, resamples, seconds, cpuSeconds } = result;
  const both = (phase: keyof Phases) => `${seconds[phase].toFixed(2)} s (CPU ${cpuSeconds[phase].toFixed(2)} s)`;
  return [
    `bootstrap, AP@100:     ${both('multiLabelWithAp')} for ${resamples} resamples of ${images} x 19 multi-label logits (Average_class_accuracy, Ave_mAP, Ave_mAP_tm19; setup included; target < 30 s)`,
    `bootstrap, accuracy:   ${both('multiLabelAccuracy')} multi-label Average_class_accuracy (x 19), ${both('singleLabelAccuracy')} single-label acc1/acc5/mean_per_class_recall (x 10), ${resamples} resamples of ${images} images (target < 2 s)`,
  ];
}
