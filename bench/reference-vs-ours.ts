/**
 * Speed against the reference (a benchmark, not a test): `npm run evaluate` and the
 * reference harness's evaluation re-implemented in Python (scripts/parity/evaluate.py:
 * torch Dataset + DataLoader with num_workers 0, torchvision transforms, torch model)
 * timed back to back on the same generated EuroSAT_MS tiles (64x64, 13-band int16) and
 * the same seeded random official-format Llama3-MS-CLIP checkpoint (ours runs the
 * bundle exported from it), both as fresh processes with no application cache, fp32,
 * CPU, the same templates and batch size.
 *
 *   npx tsx bench/reference-vs-ours.ts [--images 500] [--repeats 1] [--templates msclip]
 *     [--batch-size 64] [--workers N] [--json]
 *
 *  1. tiles (bench/tiles.ts) and the model pair (scripts/parity/reference-case.ts);
 *  2. every input file read once beforehand, so both runs find the OS page cache warm;
 *  3. per repeat, both commands, the order alternating between repeats; wall clock from
 *     spawn to exit (imports, model load, classifier, data, inference, metrics, records);
 *  4. medians, images/s, reference / ours, the load average around each run, and the
 *     largest logit difference between the two (a sanity check, not the parity test).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensurePythonEnvironment } from '../adapters/export/python-env.mjs';
import { type ResultRecord } from '../records/records.ts';
import { decodeNpy } from '../core/npy.ts';
import { prepareReferenceCase, REFERENCE_MODEL } from '../scripts/parity/reference-case.ts';
import { generateTiles } from '../datasets/demo/tiles.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => { process.stderr.write(`${line}\n`); };

interface Timed { seconds: number; loadBefore: number; loadAfter: number; stdout: string }

function timed(command: string, args: string[]): Timed {
  const loadBefore = loadavg()[0];
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: projectRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CI: 'true' } });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return { seconds, loadBefore, loadAfter: loadavg()[0], stdout: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Reads every file under `path` once (warms the page cache for whichever run comes first). */
function readAll(path: string): number {
  if (statSync(path).isDirectory()) return readdirSync(path).reduce((total, name) => total + readAll(join(path, name)), 0);
  return readFileSync(path).length;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs(a[index] - b[index]));
  return largest;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '500' },
      repeats: { type: 'string', default: '1' },
      templates: { type: 'string', default: 'msclip' },
      'batch-size': { type: 'string', default: '64' },
      workers: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const images = Number(values.images);
  const repeats = Number(values.repeats);
  const batchSize = String(Number(values['batch-size']));
  if (!(images > 0) || !(repeats > 0)) throw new Error('--images and --repeats must be positive integers');
  const python = ensurePythonEnvironment({ quiet: true });
  const work = mkdtempSync(join(tmpdir(), 'reference-vs-ours-'));
  try {
    // 1-2. Data, model pair, warm page cache.
    const data = join(work, 'data');
    await generateTiles(data, images);
    const reference = await prepareReferenceCase({ work, log });
    const bytes = readAll(data) + readAll(reference.bundle) + readAll(reference.checkpoint);
    log(`${images} tiles, bundle and checkpoint read once (${(bytes / 2 ** 20).toFixed(0)} MiB) so both runs start with a warm page cache`);

    // 3. Back to back, alternating which goes first.
    const runs: { ours: Timed; reference: Timed; logitDifference: number; oursRecord: ResultRecord; referenceSummary: Record<string, unknown> }[] = [];
    for (let repeat = 0; repeat < repeats; repeat++) {
      const oursOut = join(work, `ours-${repeat}`);
      const referenceOut = join(work, `reference-${repeat}`);
      const runOurs = (): Timed => timed(process.execPath, [
        '--import', 'tsx', 'cli/main.ts', 'evaluate', '--model', REFERENCE_MODEL, '--models-dir', reference.modelsDir, '--dataset-dir', data,
        '--datasets', 'EuroSAT_MS', '--templates', values.templates, '--batch-size', batchSize, '--device', 'cpu', '--save-logits',
        '--save-path', oursOut, '--no-export', '--no-report', '--json', ...(values.workers ? ['--workers', values.workers] : []),
      ]);
      const runReference = (): Timed => timed(python, [
        'scripts/parity/evaluate.py', '--checkpoint', reference.checkpoint, '--dataset-dir', data, '--datasets', 'EuroSAT_MS',
        '--templates', values.templates, '--batch-size', batchSize, '--save-logits', referenceOut, '--json',
      ]);
      let ours: Timed;
      let theirs: Timed;
      if (repeat % 2 === 0) { ours = runOurs(); theirs = runReference(); } else { theirs = runReference(); ours = runOurs(); }
      const summary = JSON.parse(ours.stdout) as { results: { record: string }[] };
      const recordPath = summary.results[0].record;
      const oursRecord = JSON.parse(readFileSync(recordPath, 'utf8')) as ResultRecord;
      const logitDifference = maxDifference(
        decodeNpy(readFileSync(`${recordPath}.logits.npy`)).data as Float32Array,
        decodeNpy(readFileSync(join(referenceOut, 'EuroSAT_MS.logits.npy'))).data as Float32Array,
      );
      const referenceSummary = JSON.parse(theirs.stdout) as Record<string, unknown>;
      runs.push({ ours, reference: theirs, logitDifference, oursRecord, referenceSummary });
      log(`repeat ${repeat + 1}/${repeats}: ours ${ours.seconds.toFixed(1)} s (load ${ours.loadBefore.toFixed(2)} -> ${ours.loadAfter.toFixed(2)}), reference ${theirs.seconds.toFixed(1)} s (load ${theirs.loadBefore.toFixed(2)} -> ${theirs.loadAfter.toFixed(2)}), max logit difference ${logitDifference.toExponential(2)}`);
    }

    // 4. Report.
    const oursSeconds = median(runs.map((run) => run.ours.seconds));
    const referenceSeconds = median(runs.map((run) => run.reference.seconds));
    const last = runs[runs.length - 1];
    const referenceDataset = (last.referenceSummary.datasets as Record<string, Record<string, number>>).EuroSAT_MS;
    const result = {
      images, repeats, templates: values.templates, batchSize: Number(batchSize), device: 'cpu', cores: availableParallelism(),
      ours: { seconds: oursSeconds, imagesPerSecond: images / oursSeconds, inProcess: last.oursRecord.timings },
      reference: {
        seconds: referenceSeconds, imagesPerSecond: images / referenceSeconds,
        inProcess: { seconds: last.referenceSummary.seconds, model_load_seconds: last.referenceSummary.model_load_seconds, classifier_seconds: referenceDataset.classifier_seconds, model_seconds: referenceDataset.model_seconds, torch_threads: last.referenceSummary.torch_threads },
      },
      speedup: referenceSeconds / oursSeconds,
      loadAverage: runs.map((run) => ({ ours: [run.ours.loadBefore, run.ours.loadAfter], reference: [run.reference.loadBefore, run.reference.loadAfter] })),
      maxLogitDifference: Math.max(...runs.map((run) => run.logitDifference)),
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      process.stdout.write([
        `EuroSAT_MS, ${images} tiles 64x64x13 int16, templates ${values.templates}, batch ${batchSize}, fp32 CPU, median of ${repeats}`,
        `  ours (npm run evaluate)        ${oursSeconds.toFixed(1).padStart(7)} s  ${(images / oursSeconds).toFixed(1).padStart(7)} images/s`,
        `  reference (Python, torch)      ${referenceSeconds.toFixed(1).padStart(7)} s  ${(images / referenceSeconds).toFixed(1).padStart(7)} images/s`,
        `  reference / ours               ${result.speedup.toFixed(2).padStart(7)} x`,
        `  inside the processes (last repeat): ours dataset ${last.oursRecord.timings.seconds.toFixed(1)} s of which image tower ${(last.oursRecord.timings.model_seconds ?? NaN).toFixed(1)} s; `
          + `reference model load ${Number(result.reference.inProcess.model_load_seconds).toFixed(1)} s, classifier ${referenceDataset.classifier_seconds.toFixed(1)} s, image tower ${referenceDataset.model_seconds.toFixed(1)} s, ${String(result.reference.inProcess.torch_threads)} torch threads`,
        `  max |logit difference|         ${result.maxLogitDifference.toExponential(2)}`,
        `  load average (1 min) around the runs: ${result.loadAverage.map((entry) => `ours ${entry.ours.map((v) => v.toFixed(2)).join('->')}, reference ${entry.reference.map((v) => v.toFixed(2)).join('->')}`).join('; ')}`,
        '',
      ].join('\n'));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
