/**
 * Text rows cut to their used length (bundle.json `text.dynamicLength`) give the
 * features of full 77-id rows. A tiny open_clip model (the 2-layer test config) is
 * exported twice from one seed: with a dynamic sequence axis (the exporter's default
 * for causal, end-of-text-pooled towers) and with `--text-length fixed` (as older
 * bundles). Prompts of mixed lengths, the shortest possible and a truncated 77-id one
 * included, are compared with torch's full-context embeddings (export.py
 * --embed-texts) and with the fixed bundle; a bundle without the field runs full rows.
 * Needs the Python environment (made on first use).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadManifest, verifyBundle } from '../../adapters/bundle.ts';
import { openBundle, planTextBatches, usedTextLengths } from '../../adapters/clip.ts';
import { exportBundle, runExporter, writeReferenceEmbeddings } from '../../adapters/export.ts';
import { ensurePythonEnvironment } from '../../adapters/export/python-env.mjs';
import { OnnxSession, type TensorInput } from '../../adapters/onnx.ts';
import { registerModel } from '../../adapters/registry.ts';
import { ClipTokenizer, DEFAULT_VOCABULARY } from '../../adapters/tokenizer.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';
import { maxAbsDifference, parityPrompts } from '../../scripts/parity/support.ts';

const TOLERANCE = 1e-5;
const SEED = 5;
const work = mkdtempSync(join(tmpdir(), 'msclip-text-length-test-'));
const quiet = (): void => {};

ensurePythonEnvironment({ quiet: true });

const tiny = registerModel({
  name: 'Test-Text-Length-Tiny',
  aliases: [],
  label: 'test',
  family: 'demo',
  architecture: 'Test-CLIP-Tiny',
  modelConfig: 'test/fixtures/adapters/Test-CLIP-Tiny.json',
  checkpointFormat: 'open_clip',
  image: { kind: 'rgb', bands: ['red', 'green', 'blue'], size: 32, interpolation: 'bicubic', mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
  text: { contextLength: 77, padId: 0, startId: 49406, endId: 49407 },
  weights: { kind: 'local', path: 'test/fixtures/adapters/no-such-checkpoint.pt', hint: 'made by the test' },
});

/** Mixed lengths: real prompts, the empty prompt (2 ids), one-word prompts, prompts ending in "!" (id 0, the pad id), and truncated ones. */
const PROMPTS = [
  ...parityPrompts(),
  '',
  'forest',
  'a satellite image showing Beaches, dunes, sands.',
  'A centered satellite photo of Permanent Crop Land, as seen from space!',
  '!!',
  Array.from({ length: 90 }, (_, index) => `word${index}`).join(' '),
  'sea lake',
];

const bundles = { dynamic: join(work, 'dynamic'), fixed: join(work, 'fixed') };
let reference: { texts: Float32Array; tokenIds: BigInt64Array } | undefined;

function readBytes(file: string): ArrayBuffer {
  const bytes = readFileSync(file);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function copyBundle(from: string, to: string, edit: (manifest: Record<string, Record<string, unknown>>) => void): string {
  mkdirSync(to);
  for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));
  const manifest = JSON.parse(readFileSync(join(to, 'bundle.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  edit(manifest);
  writeFileSync(join(to, 'bundle.json'), JSON.stringify(manifest));
  return to;
}

/** Encodes `texts` with the bundle in `directory`, recording the dims of every text-tower run. */
async function encode(directory: string, texts: readonly string[], textBatchSize: number): Promise<{ embeddings: Float32Array; runs: number[][] }> {
  const runs: number[][] = [];
  const run = OnnxSession.prototype.run;
  OnnxSession.prototype.run = function (this: OnnxSession, inputName: string, outputName: string, input: TensorInput) {
    if (this.file.endsWith('text.onnx')) runs.push([...input.dims]);
    return run.call(this, inputName, outputName, input);
  };
  const encoder = await openBundle(directory, { device: 'cpu', textBatchSize });
  try {
    return { embeddings: await encoder.encodeTexts(texts), runs };
  } finally {
    OnnxSession.prototype.run = run;
    await encoder.dispose();
  }
}

test.before(async () => {
  // Both exports and the reference start from the same seeded checkpoint.
  const fixedArguments = ['--out', bundles.fixed, '--vocabulary', DEFAULT_VOCABULARY, '--seed', String(SEED), '--text-length', 'fixed'];
  writeFileSync(join(work, 'prompts.json'), JSON.stringify(PROMPTS));
  await Promise.all([
    exportBundle({ model: tiny.name, seed: SEED, modelsDir: work, out: bundles.dynamic, onProgress: quiet }),
    runExporter(tiny, fixedArguments, quiet),
    writeReferenceEmbeddings({ model: tiny.name, seed: SEED, textsFile: join(work, 'prompts.json'), outDir: join(work, 'reference'), onProgress: quiet }),
  ]);
  reference = { texts: new Float32Array(readBytes(join(work, 'reference', 'text-embeddings.f32'))), tokenIds: new BigInt64Array(readBytes(join(work, 'reference', 'token-ids.i64'))) };
});

test('used lengths end at the last non-padding id; batches are sorted by length, each run at its longest', () => {
  // Rows of 5: a word; "!" (id 0, the pad id) before the end; the empty prompt; a full row.
  const ids = BigInt64Array.from([49406, 320, 49407, 0, 0, 49406, 0, 49407, 0, 0, 49406, 49407, 0, 0, 0, 49406, 1, 2, 3, 49407], (id) => BigInt(id));
  const lengths = usedTextLengths(ids, 5, 0);
  assert.equal([...lengths], [3, 3, 2, 5]);
  assert.equal(planTextBatches({ count: 4, batchSize: 3, contextLength: 5, lengths }), [
    { rows: [2, 0, 1], length: 3 },
    { rows: [3], length: 5 },
  ]);
  assert.equal(planTextBatches({ count: 4, batchSize: 3, contextLength: 5 }), [
    { rows: [0, 1, 2], length: 5 },
    { rows: [3], length: 5 },
  ]);
  assert.equal(planTextBatches({ count: 0, batchSize: 3, contextLength: 5, lengths: new Int32Array(0) }), []);
});

test('the exporter records dynamicLength and the sequence axis; its own check of cut rows passed', async () => {
  const dynamic = await verifyBundle(bundles.dynamic);
  const fixed = await verifyBundle(bundles.fixed);
  assert.is(dynamic.text.dynamicLength, true);
  assert.is(fixed.text.dynamicLength, false);
  assert.ok(dynamic.export.maxAbsDiff.text <= TOLERANCE, `export check: ${dynamic.export.maxAbsDiff.text}`);
  const shapes: Record<string, (number | string)[]> = {};
  for (const [kind, directory] of Object.entries(bundles)) {
    const session = await OnnxSession.create(join(directory, 'text.onnx'), { device: 'cpu' });
    shapes[kind] = session.inputShape('input_ids');
    await session.dispose();
  }
  assert.equal(shapes.dynamic, ['batch', 'sequence']);
  assert.equal(shapes.fixed, ['batch', 77]);
});

test('cut rows equal torch full-context embeddings and the fixed bundle, in the caller order', async () => {
  assert.ok(reference);
  const manifest = loadManifest(bundles.dynamic);
  const tokenizer = await ClipTokenizer.load(join(bundles.dynamic, manifest.text.vocabulary), manifest.text);
  const ids = tokenizer.tokenize(PROMPTS);
  assert.equal([...ids], [...reference.tokenIds], 'the TypeScript tokenizer gives open_clip ids');
  const lengths = [...usedTextLengths(ids, 77, 0)];
  assert.ok(lengths.includes(77) && lengths.includes(2), `lengths ${lengths.join(',')}`);

  const dynamic = await encode(bundles.dynamic, PROMPTS, 3);
  const fixed = await encode(bundles.fixed, PROMPTS, 3);
  const torchDifference = maxAbsDifference(dynamic.embeddings, reference.texts);
  const fixedDifference = maxAbsDifference(dynamic.embeddings, fixed.embeddings);
  console.log(`  cut rows vs torch full rows ${torchDifference.toExponential(2)}, vs the fixed bundle ${fixedDifference.toExponential(2)} (${PROMPTS.length} prompts)`);
  assert.ok(torchDifference <= TOLERANCE, `vs torch: ${torchDifference}`);
  assert.ok(fixedDifference <= TOLERANCE, `vs fixed: ${fixedDifference}`);
  assert.ok(maxAbsDifference(fixed.embeddings, reference.texts) <= TOLERANCE);
  // The runs really were cut: sorted lengths, batches of 3, only the last one at 77.
  const sorted = [...lengths].sort((a, b) => a - b);
  const expected = planTextBatches({ count: PROMPTS.length, batchSize: 3, contextLength: 77, lengths: Int32Array.from(lengths) }).map((batch) => [batch.rows.length, batch.length]);
  assert.equal(dynamic.runs, expected);
  assert.equal(dynamic.runs[0], [3, sorted[2]]);
  assert.is(dynamic.runs.filter(([, length]) => length === 77).length, 1);
  assert.ok(fixed.runs.every(([, length]) => length === 77));
  // Distinct prompts, distinct rows: nothing was scattered to the wrong place.
  const reversed = await encode(bundles.dynamic, [...PROMPTS].reverse(), 4);
  for (let row = 0; row < PROMPTS.length; row++) {
    const back = PROMPTS.length - 1 - row;
    assert.ok(maxAbsDifference(reversed.embeddings.subarray(back * 16, (back + 1) * 16), reference.texts.subarray(row * 16, (row + 1) * 16)) <= TOLERANCE, `row ${row}`);
  }
});

test('a bundle without text.dynamicLength (older exports) runs full rows', async () => {
  const old = copyBundle(bundles.fixed, join(work, 'old'), (manifest) => delete manifest.text.dynamicLength);
  assert.is(loadManifest(old).text.dynamicLength, undefined);
  assert.not.ok('dynamicLength' in loadManifest(old).text);
  const result = await encode(old, PROMPTS, 5);
  assert.ok(result.runs.every(([, length]) => length === 77));
  assert.ok(maxAbsDifference(result.embeddings, reference?.texts ?? new Float32Array()) <= TOLERANCE);
});

test('a wrong text.dynamicLength is a one-line error naming the field', async () => {
  const notBoolean = copyBundle(bundles.dynamic, join(work, 'not-boolean'), (manifest) => (manifest.text.dynamicLength = 'yes'));
  try {
    loadManifest(notBoolean);
    assert.unreachable('loaded');
  } catch (error) {
    assert.instance(error, UserError);
    assert.match((error as UserError).message, 'field "text.dynamicLength" must be true or false, got "yes"');
  }
  const lying = copyBundle(bundles.fixed, join(work, 'lying'), (manifest) => (manifest.text.dynamicLength = true));
  try {
    await openBundle(lying, { device: 'cpu' });
    assert.unreachable('opened');
  } catch (error) {
    assert.instance(error, UserError);
    assert.is((error as UserError).code, ErrorCode.bundleInvalid);
    assert.is((error as UserError).message, `${join(lying, 'bundle.json')}: field "text.dynamicLength" is true but text.onnx takes rows of exactly 77 ids; re-export the bundle with npm run export`);
  }
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
