/**
 * The export tool end to end on tiny models (a 2-layer open_clip config shipped as a
 * test fixture, registered like a demo model): verification refuses a bundle that
 * differs from torch, seeded exports match torch through openBundle, wrong checkpoints
 * fail in one line; and the `npm run export` command's one-line errors, including the
 * no-network case (simulated by pointing the hub at a closed local port).
 * Needs the Python environment (made on first use).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBundle } from '../../adapters/bundle.ts';
import { openBundle } from '../../adapters/clip.ts';
import { exportBundle, writeRandomCheckpoint, writeReferenceEmbeddings } from '../../adapters/export.ts';
import { ensurePythonEnvironment } from '../../adapters/export/python-env.mjs';
import { registerModel, type ModelEntry } from '../../adapters/registry.ts';
import { ErrorCode } from '../../core/errors.ts';
import { maxAbsDifference, parityPrompts, seededImages } from '../../scripts/parity/support.ts';
import { rejection } from '../support/assertions.ts';

/** Every export failure is one line. */
const oneLineRejection = (promise: Promise<unknown>) => rejection(promise, { oneLine: true });

const PROJECT = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'msclip-export-test-'));
const quiet = (): void => {};

ensurePythonEnvironment({ quiet: true });

const TINY_TEXT = { contextLength: 77, padId: 0, startId: 49406, endId: 49407 };
const tinyMs = registerModel({
  name: 'Test-MS-CLIP-Tiny',
  aliases: [],
  label: 'test',
  family: 'demo',
  architecture: 'Test-CLIP-Tiny',
  modelConfig: 'test/fixtures/adapters/Test-CLIP-Tiny.json',
  checkpointFormat: 'msclip-training-module',
  image: { kind: 'multispectral', bands: ['B02', 'B03', 'B04', 'B08'], size: 32, interpolation: 'bicubic', mean: [1000, 1200, 1300, 2500], std: [1200, 1200, 1400, 1500] },
  text: TINY_TEXT,
  weights: { kind: 'local', path: 'test/fixtures/adapters/no-such-checkpoint.pt', hint: 'made by the test' },
});
const tinyRgb: ModelEntry = registerModel({
  ...tinyMs,
  name: 'Test-RGB-CLIP-Tiny',
  checkpointFormat: 'open_clip',
  image: { kind: 'rgb', bands: ['red', 'green', 'blue'], size: 32, interpolation: 'bicubic', mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
});
const tinyRgbFourBands: ModelEntry = registerModel({ ...tinyMs, name: 'Test-Open-Tiny-4', checkpointFormat: 'open_clip' });

test('verification refuses a bundle that differs from torch; nothing is left behind', async () => {
  const out = join(work, 'refused');
  const error = await oneLineRejection(exportBundle({ model: tinyMs.name, seed: 5, modelsDir: work, out, tolerance: 0, onProgress: quiet }));
  assert.is(error.code, ErrorCode.exportFailed);
  assert.match(error.message, /^the exported image tower of Test-MS-CLIP-Tiny differs from torch by [0-9.e-]+ \(max abs, L2-normalised; tolerance 0\): bundle not written$/);
  assert.not.ok(existsSync(out));
  assert.equal(readdirSync(work).filter((name) => name.startsWith('refused')), []);
});

test('a seeded multispectral export matches torch through openBundle', async () => {
  const out = join(work, 'tiny-ms');
  const progress: string[] = [];
  // External data as a 2 GB+ tower would have it: every file is listed and hashed.
  const directory = await exportBundle({ model: tinyMs.name, seed: 5, modelsDir: work, out, externalData: 'always', onProgress: (line) => progress.push(line) });
  assert.is(directory, out);
  assert.ok(progress.some((line) => line.includes('verifying the ONNX towers against torch')), progress.join('\n'));
  const manifest = await verifyBundle(directory);
  assert.equal(manifest.source, { kind: 'random', seed: 5 });
  assert.is(manifest.family, 'demo');
  assert.is(manifest.demo, true);
  assert.is(manifest.embeddingSize, 16);
  assert.equal(manifest.image.bands, ['B02', 'B03', 'B04', 'B08']);
  assert.equal(Object.keys(manifest.files).sort(), ['bpe_simple_vocab_16e6.txt.gz', 'image.onnx', 'image.onnx.data', 'text.onnx', 'text.onnx.data']);
  assert.ok(manifest.export.maxAbsDiff.image <= 1e-4 && manifest.export.maxAbsDiff.text <= 1e-4);
  assert.is(manifest.export.tolerance, 1e-4);

  const images = seededImages(tinyMs, 5, 11);
  writeFileSync(join(work, 'images.f32'), images);
  writeFileSync(join(work, 'prompts.json'), JSON.stringify(parityPrompts()));
  await writeReferenceEmbeddings({ model: tinyMs.name, seed: 5, imagesFile: join(work, 'images.f32'), textsFile: join(work, 'prompts.json'), outDir: join(work, 'reference'), onProgress: quiet });
  const encoder = await openBundle(directory, { device: 'auto', imageBatchSize: 2, textBatchSize: 4 });
  try {
    assert.is(encoder.provider, 'cpu');
    const reference = (name: string): Float32Array => {
      const bytes = readFileSync(join(work, 'reference', name));
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    };
    assert.ok(maxAbsDifference(await encoder.encodeImages(images, 5), reference('image-embeddings.f32')) <= 1e-4);
    assert.ok(maxAbsDifference(await encoder.encodeTexts(parityPrompts()), reference('text-embeddings.f32')) <= 1e-4);
    const wrong = await oneLineRejection(encoder.encodeImages(new Float32Array(3 * 32 * 32), 1));
    assert.match(wrong.message, 'Test-MS-CLIP-Tiny: encodeImages got 3072 values for 1 images; each needs 4x32x32 = 4096');
  } finally {
    await encoder.dispose();
  }
});

test('checkpoints in the wrong format or with the wrong bands fail in one line', async () => {
  const openClipCheckpoint = await writeRandomCheckpoint({ model: tinyRgb.name, seed: 9, file: join(work, 'rgb.pt'), onProgress: quiet });
  const asTrainingModule = await oneLineRejection(exportBundle({ model: tinyMs.name, checkpoint: openClipCheckpoint, modelsDir: work, out: join(work, 'wrong-format'), onProgress: quiet }));
  assert.match(asTrainingModule.message, `${openClipCheckpoint}: not a Llama3-MS-CLIP training-module state_dict: `);
  assert.match(asTrainingModule.message, /missing keys \(e\.g\. clip_base_model\.model\./);
  const wrongBands = await oneLineRejection(exportBundle({ model: tinyRgbFourBands.name, checkpoint: openClipCheckpoint, modelsDir: work, out: join(work, 'wrong-bands'), onProgress: quiet }));
  assert.match(wrongBands.message, `${openClipCheckpoint} is not an open_clip Test-CLIP-Tiny state_dict with 4 bands`);
  writeFileSync(join(work, 'garbage.pt'), 'not a checkpoint');
  const garbage = await oneLineRejection(exportBundle({ model: tinyRgb.name, checkpoint: join(work, 'garbage.pt'), modelsDir: work, out: join(work, 'garbage'), onProgress: quiet }));
  assert.match(garbage.message, `cannot read checkpoint ${join(work, 'garbage.pt')}`);
  const missing = await oneLineRejection(exportBundle({ model: tinyRgb.name, checkpoint: join(work, 'nope.pt'), modelsDir: work, onProgress: quiet }));
  assert.match(missing.message, 'checkpoint');
  assert.match(missing.message, 'nope.pt not found');
});

function runExportCommand(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string; seconds: number } {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT, 'cli', 'main.ts'), 'export', ...args], {
    cwd: PROJECT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, seconds: (Date.now() - started) / 1000 };
}

test('npm run export -- --model Llama3-MS-CLIP-Base with no network: one line, exit 1, fast', () => {
  const offline = { HF_ENDPOINT: 'http://127.0.0.1:9', HF_HOME: join(work, 'hf-home'), HF_HUB_OFFLINE: '' };
  const result = runExportCommand(['--model', 'Llama3-MS-CLIP-Base', '--models-dir', join(work, 'models')], offline);
  assert.is(result.status, 1);
  assert.is(result.stdout, '');
  const lines = result.stderr.trim().split('\n');
  assert.is(lines.length, 1, result.stderr);
  assert.match(lines[0], /^error: cannot download ibm-esa-geospatial\/Llama3-MS-CLIP-base\/Llama3_MS_CLIP_weights\.pt \(no network: 127\.0\.0\.1 unreachable\): download http:\/\/127\.0\.0\.1:9\/ibm-esa-geospatial\/Llama3-MS-CLIP-base\/resolve\/main\/Llama3_MS_CLIP_weights\.pt elsewhere and run: npm run export -- --model Llama3-MS-CLIP-Base --checkpoint FILE$/);
  assert.ok(result.seconds < 20, `took ${result.seconds}s`);
  assert.not.ok(existsSync(join(work, 'models', 'Llama3-MS-CLIP-Base')));
});

test('npm run export: usage and registry errors are one line', () => {
  const cases: [string[], RegExp][] = [
    [['--model', 'Llama3-MS-CLP'], /^error: unknown model "Llama3-MS-CLP": did you mean "Llama3-MS-CLIP-Base"\? known models: /],
    [['--modle', 'ViT-B-16'], /^error: Unknown option '--modle'.*\(see: npm run export -- --help\)$/],
    [[], /^error: --model NAME is required \(known models: Llama3-MS-CLIP-Base, /],
    [['--model', 'ViT-B-16', '--seed', 'x'], /^error: --seed must be a non-negative integer, got "x"$/],
    [['--model', 'ViT-B-16,ViT-B-32', '--checkpoint', 'a.pt'], /^error: --checkpoint and --out apply to one --model/],
    [['--model', 'Llama3-RGB-CLIP-Base'], /^error: Llama3-RGB-CLIP-Base has no published weights: pass --checkpoint FILE.*\(npm run export -- --model Llama3-RGB-CLIP-Base --checkpoint FILE\)$/],
    [['--model', 'ViT-B-16', '--checkpoint', '/nonexistent/x.pt'], /^error: checkpoint \/nonexistent\/x\.pt not found$/],
  ];
  for (const [args, expected] of cases) {
    const result = runExportCommand(args);
    assert.is(result.status, 1, args.join(' '));
    assert.is(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr.trim(), expected);
  }
  const noPython = runExportCommand(['--model', 'ViT-B-16', '--models-dir', join(work, 'models')], { MSCLIP_VENV: join(work, 'no-venv'), PYTHON: '/nonexistent/python3' });
  assert.is(noPython.status, 1);
  assert.is(noPython.stderr, 'error: Python 3 was not found (tried "/nonexistent/python3"): install Python >= 3.10 or set PYTHON=/path/to/python3\n');
  const list = runExportCommand(['--list', '--json']);
  assert.is(list.status, 0);
  const rows = JSON.parse(list.stdout) as { name: string; weights: string }[];
  assert.equal(rows.find((row) => row.name === 'SkyCLIP')?.weights, 'https://opendatasharing.s3.us-west-2.amazonaws.com/SkyScript/ckpt/SkyCLIP_ViT_B32_top50pct.zip (SkyCLIP_ViT_B32_top50pct/epoch_20.pt)');
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
