/**
 * `npm run demo:train`: rebuilds the two demo models from nothing but this repository
 * and checks that they reproduce the committed bundles' metrics.
 *
 *  1. the project's Python environment (pinned requirements; torch CPU);
 *  2. the training split of the demo suite (its own seed stream) into .cache/demo-train/data;
 *  3. training tensors (training split) through the evaluator's own loaders and preprocessing;
 *  4. train.py trains Demo-MS-CLIP-Tiny and Demo-RGB-CLIP-Tiny (fixed seeds, 2 threads);
 *  5. the project's exporter writes both bundles into models/demo/<name>/ (verified against torch);
 *  6. the harness's evaluator scores them on the demo test suite (the one `npm run evaluate` uses);
 *  7. the metrics are compared with models-demo/metrics.json within its tolerance, and the
 *     demo targets (far above chance; MS beats RGB where only non-visible bands separate)
 *     are checked. With --install the bundles and metrics replace those in models-demo/.
 *
 * Flags: --install, --steps N (default: train.py's), --threads N (default 2),
 * --reuse-data (keep an already generated training split), --skip-training (export and
 * check the checkpoints a previous run left in .cache/demo-train/checkpoints).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_BUNDLE_DIR, DEMO_CHECKPOINT_DIR, DEMO_MODEL_ENTRIES } from '../../adapters/demo-models.ts';
import { exportBundle } from '../../adapters/export.ts';
import { ensurePythonEnvironment, projectRoot } from '../../adapters/export/python-env.mjs';
import { DEMO_GENERATOR_VERSION, DEMO_SEED, DEMO_TEST_SIZES, DEMO_TRAIN_SIZES, ensureDemoSuite } from '../../datasets/demo/generate.ts';
import { compareMetrics, checkTargets, type DemoMetricsFile } from './metrics.ts';
import { evaluateDemo, openDemoBundles } from './evaluate-demo.ts';

const log = (line: string): void => console.error(`[demo:train] ${line}`);
const work = join(projectRoot, '.cache', 'demo-train');
const metricsFile = join(projectRoot, DEMO_BUNDLE_DIR, 'metrics.json');

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.slice(0, 2).join(' ')} ... failed (exit ${code})`))));
  });
}

const tsx = (script: string, args: string[]): Promise<void> => run(process.execPath, ['--import', 'tsx', join(projectRoot, 'scripts', 'demo', script), ...args]);

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      install: { type: 'boolean', default: false },
      steps: { type: 'string' },
      threads: { type: 'string', default: '2' },
      'reuse-data': { type: 'boolean', default: false },
      'skip-training': { type: 'boolean', default: false },
    },
  });
  const started = performance.now();
  const seconds: Record<string, number> = {};
  const lap = (name: string, from: number): void => { seconds[name] = Math.round((performance.now() - from) / 100) / 10; };

  // Step 1.
  let from = performance.now();
  const python = ensurePythonEnvironment();
  lap('pythonEnvironment', from);

  // Steps 2-3.
  const checkpoints = join(projectRoot, DEMO_CHECKPOINT_DIR);
  const train = !values['skip-training'];
  from = performance.now();
  const data = join(work, 'data');
  const reuse = values['reuse-data'] && existsSync(join(data, 'BigEarthNet', 'bigearthnet-train.csv'));
  if (train && !reuse) await tsx('suite.ts', ['generate', '--split', 'train', '--out', data]);
  lap('generateTrainingSplit', from);
  from = performance.now();
  const tensors = join(work, 'tensors');
  if (train) await tsx('suite.ts', ['tensors', '--data', data, '--split', 'train', '--out', tensors]);
  lap('preprocessTrainingSplit', from);

  // Step 4.
  for (const entry of train ? DEMO_MODEL_ENTRIES : []) {
    from = performance.now();
    const view = entry.image.kind === 'rgb' ? 'rgb' : 'ms';
    const args = [join(projectRoot, 'scripts', 'demo', 'train.py'), '--tensors', tensors, '--view', view, '--name', entry.name, '--out', checkpoints, '--threads', values.threads];
    if (values.steps) args.push('--steps', values.steps);
    await run(python, args);
    lap(`train ${entry.name}`, from);
  }

  // Step 5.
  const bundles: { name: string; directory: string }[] = [];
  for (const entry of DEMO_MODEL_ENTRIES) {
    from = performance.now();
    const directory = join(projectRoot, 'models', 'demo', entry.name);
    await exportBundle({ model: entry.name, checkpoint: join(checkpoints, `${entry.name}.pt`), modelsDir: join(projectRoot, 'models', 'demo'), out: directory, onProgress: (line) => log(line) });
    bundles.push({ name: entry.name, directory });
    lap(`export ${entry.name}`, from);
  }

  // Step 6.
  from = performance.now();
  const suite = await ensureDemoSuite({ log });
  const encoders = await openDemoBundles(bundles);
  const models = await evaluateDemo({ models: encoders, datasetDir: suite, workers: 2 });
  await Promise.all(encoders.map(({ encoder }) => encoder.dispose()));
  lap('evaluate', from);
  seconds.total = Math.round((performance.now() - started) / 100) / 10;

  // Step 7.
  const fresh: DemoMetricsFile = {
    description: 'Zero-shot metrics (msclip templates) of the committed demo bundles on the demo test suite, from the harness evaluator; npm run demo:train retrains and checks them.',
    generator: { version: DEMO_GENERATOR_VERSION, seed: DEMO_SEED, test: DEMO_TEST_SIZES, train: DEMO_TRAIN_SIZES },
    templates: 'msclip',
    tolerance: 0.03,
    models,
    training: { seconds, threads: Number(values.threads) },
  };
  await writeFile(join(work, 'metrics.json'), `${JSON.stringify(fresh, null, 2)}\n`);
  const targets = checkTargets(fresh);
  for (const line of targets.lines) log(line);
  let reproduced = true;
  if (existsSync(metricsFile)) {
    const committed = JSON.parse(readFileSync(metricsFile, 'utf8')) as DemoMetricsFile;
    const comparison = compareMetrics(committed, fresh);
    for (const line of comparison.lines) log(line);
    reproduced = comparison.ok;
    log(reproduced ? `reproduced ${metricsFile} within ${committed.tolerance}` : `NOT reproduced: metrics differ from ${metricsFile} by more than ${committed.tolerance}`);
  } else {
    log(`${metricsFile} does not exist yet: nothing to compare with (run with --install to create it)`);
  }
  if (values.install) {
    for (const { name, directory } of bundles) {
      const target = join(projectRoot, DEMO_BUNDLE_DIR, name);
      await rm(target, { recursive: true, force: true });
      await mkdir(join(projectRoot, DEMO_BUNDLE_DIR), { recursive: true });
      await cp(directory, target, { recursive: true });
    }
    await writeFile(metricsFile, `${JSON.stringify(fresh, null, 2)}\n`);
    log(`installed the bundles and metrics.json into ${join(projectRoot, DEMO_BUNDLE_DIR)}`);
  }
  log(`done in ${seconds.total}s (${Object.entries(seconds).map(([name, value]) => `${name} ${value}s`).join(', ')})`);
  return targets.ok && (reproduced || values.install) ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
