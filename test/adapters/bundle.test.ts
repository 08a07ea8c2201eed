/**
 * Manifest validation (each broken field is named), hash verification, and
 * resolveBundle's behaviour when a bundle is missing. The bundle files here are
 * placeholders: loadManifest checks presence and hashes, not ONNX contents.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadManifest, verifyBundle } from '../../adapters/bundle.ts';
import { resolveBundle } from '../../adapters/resolve.ts';
import { loadEncoder } from '../../adapters/clip.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'msclip-bundle-test-'));
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function validManifest(): Record<string, unknown> {
  return {
    schema: 1,
    name: 'Llama3-MS-CLIP-Base',
    family: 'msclip',
    architecture: 'ViT-B-16',
    demo: false,
    embeddingSize: 512,
    opset: 18,
    image: {
      file: 'image.onnx',
      input: 'image',
      output: 'image_features',
      kind: 'multispectral',
      bands: ['B02', 'B03', 'B04'],
      size: 224,
      interpolation: 'bicubic',
      mean: [925.161, 1183.128, 1338.041],
      std: [1205.586, 1223.713, 1399.638],
    },
    text: { file: 'text.onnx', input: 'input_ids', output: 'text_features', vocabulary: 'vocab.txt.gz', contextLength: 77, padId: 0, startId: 49406, endId: 49407 },
    files: { 'image.onnx': sha('image'), 'text.onnx': sha('text'), 'vocab.txt.gz': sha('vocab') },
    source: { kind: 'random', seed: 3 },
    export: { date: '2025-01-01T00:00:00Z', tool: 'test', torch: '2.13.0', openClip: '3.3.0', maxAbsDiff: { image: 1e-7, text: 2e-7 } },
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access -- the tests below break manifests field by field on purpose */
let counter = 0;
function writeBundle(mutate: (manifest: Record<string, any>) => void = () => {}): string {
  const directory = join(root, `bundle-${counter++}`);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'image.onnx'), 'image');
  writeFileSync(join(directory, 'text.onnx'), 'text');
  writeFileSync(join(directory, 'vocab.txt.gz'), 'vocab');
  const manifest = validManifest();
  mutate(manifest);
  writeFileSync(join(directory, 'bundle.json'), JSON.stringify(manifest));
  return directory;
}

function invalid(mutate: (manifest: Record<string, any>) => void): UserError {
  const directory = writeBundle(mutate);
  try {
    loadManifest(directory);
  } catch (error) {
    assert.instance(error, UserError);
    assert.is((error as UserError).code, ErrorCode.bundleInvalid);
    assert.not.match((error as UserError).message, '\n');
    assert.ok((error as UserError).message.startsWith(join(directory, 'bundle.json')), (error as UserError).message);
    return error as UserError;
  }
  throw new Error('expected loadManifest to fail');
}

test('a valid manifest loads as written', () => {
  const manifest = loadManifest(writeBundle());
  assert.equal(manifest, validManifest());
});

test('each wrong or missing field is named in one line', () => {
  const cases: [string, (manifest: Record<string, any>) => void, string][] = [
    ['schema', (m) => (m.schema = 2), 'field "schema" must be 1, got 2'],
    ['name', (m) => delete m.name, 'field "name" is missing'],
    ['family', (m) => (m.family = 'clip'), 'field "family" must be one of "msclip", "openclip", "demo", got "clip"'],
    ['embeddingSize', (m) => (m.embeddingSize = 0), 'field "embeddingSize" must be an integer in 1..65536, got 0'],
    ['opset', (m) => (m.opset = '18'), 'field "opset" must be an integer'],
    ['image', (m) => delete m.image, 'field "image.bands" is missing'],
    ['image.kind', (m) => (m.image.kind = 'sar'), 'field "image.kind" must be one of "multispectral", "rgb", got "sar"'],
    ['image.mean length', (m) => (m.image.mean = [1, 2]), 'field "image.mean" must have 3 values (one per band), got 2'],
    ['image.std positive', (m) => (m.image.std = [1, 0, 1]), 'field "image.std" must be a list of positive finite numbers'],
    ['image.size', (m) => (m.image.size = 22.5), 'field "image.size" must be an integer'],
    ['image.size bomb', (m) => (m.image.size = 8192), 'field "image.size" is 8192, more than the largest model input side 2048'],
    ['image.interpolation', (m) => (m.image.interpolation = 'nearest'), 'field "image.interpolation" must be one of "bicubic", "bilinear"'],
    ['image.file path', (m) => (m.image.file = '../image.onnx'), 'field "image.file" must be a file name inside the bundle'],
    ['rgb bands', (m) => (m.image.kind = 'rgb'), 'field "image.bands" must be ["red","green","blue"] for kind "rgb"'],
    ['text.contextLength', (m) => (m.text.contextLength = 1), 'field "text.contextLength" must be an integer in 2..4096, got 1'],
    ['text.padId', (m) => (m.text.padId = -1), 'field "text.padId" must be an integer'],
    ['text.vocabulary', (m) => delete m.text.vocabulary, 'field "text.vocabulary" is missing'],
    ['files hash', (m) => (m.files['text.onnx'] = 'abc'), 'field "files.text.onnx" must be a sha256'],
    ['files entry', (m) => delete m.files['image.onnx'], 'field "files.image.onnx" is missing (every file of the bundle needs its sha256)'],
    ['files existence', (m) => (m.files['extra.data'] = sha('x')), 'field "files.extra.data" names'],
    ['source.kind', (m) => (m.source.kind = 'ftp'), 'field "source.kind" must be one of'],
    ['source.seed', (m) => delete m.source.seed, 'field "source.seed" is missing (source.kind is "random")'],
    ['source.checkpointSha256', (m) => (m.source.checkpointSha256 = 'xyz'), 'field "source.checkpointSha256" must be 64 hex digits'],
    ['export.maxAbsDiff.text', (m) => (m.export.maxAbsDiff.text = -1), 'field "export.maxAbsDiff.text" must be a finite number >= 0, got -1'],
    ['export.torch', (m) => delete m.export.torch, 'field "export.torch" is missing'],
  ];
  for (const [label, mutate, expected] of cases) {
    const error = invalid(mutate);
    assert.ok(error.message.includes(expected), `${label}: ${error.message}`);
    assert.ok(error.message.endsWith('re-export the bundle with npm run export'), `${label}: ${error.message}`);
  }
});

test('a missing or unparsable bundle.json says so', () => {
  const empty = join(root, 'empty');
  mkdirSync(empty);
  assert.throws(() => loadManifest(empty), (error: Error) => error.message.includes(`${join(empty, 'bundle.json')} does not exist`));
  writeFileSync(join(empty, 'bundle.json'), '{"schema": 1,');
  assert.throws(() => loadManifest(empty), (error: Error) => error.message.includes('is not valid JSON'));
});

test('verifyBundle recomputes every hash and names the changed file', async () => {
  const directory = writeBundle();
  await verifyBundle(directory);
  writeFileSync(join(directory, 'text.onnx'), 'tampered');
  try {
    await verifyBundle(directory);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UserError);
    assert.match((error as UserError).message, `${join(directory, 'text.onnx')} has sha256 ${sha('tampered')}, bundle.json says ${sha('text')}`);
  }
});

test('--no-export on a missing bundle: one line saying how to export', async () => {
  const modelsDir = join(root, 'models');
  for (const [name, expected] of [
    ['Llama3-MS-CLIP-Base', `no bundle for Llama3-MS-CLIP-Base in ${join(modelsDir, 'Llama3-MS-CLIP-Base')} and --no-export is set: run npm run export -- --model Llama3-MS-CLIP-Base --models-dir ${modelsDir}`],
    ['llama3-rgb-clip', `--no-export is set: run npm run export -- --model Llama3-RGB-CLIP-Base --checkpoint FILE --models-dir ${modelsDir} (its weights are not published: pass --checkpoint FILE`],
  ]) {
    for (const attempt of [() => resolveBundle({ name, modelsDir, allowExport: false }), () => loadEncoder({ name, modelsDir, allowExport: false, device: 'cpu' })]) {
      try {
        await attempt();
        assert.unreachable();
      } catch (error) {
        assert.instance(error, UserError);
        assert.is((error as UserError).code, ErrorCode.bundleMissing);
        assert.ok((error as UserError).message.startsWith(expected) || (error as UserError).message.includes(expected), (error as UserError).message);
        assert.not.match((error as UserError).message, '\n');
      }
    }
  }
});

test('an unpublished model without --checkpoint fails before any export starts', async () => {
  try {
    await resolveBundle({ name: 'Llama3-RGB-CLIP-Base', modelsDir: join(root, 'models'), allowExport: true, onProgress: () => {} });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UserError);
    assert.match((error as UserError).message, 'run npm run export -- --model Llama3-RGB-CLIP-Base --checkpoint FILE');
  }
});

test('unknown model names get did-you-mean from resolveBundle too', async () => {
  try {
    await resolveBundle({ name: 'ViT-B-61', modelsDir: root, allowExport: false });
    assert.unreachable();
  } catch (error) {
    assert.is((error as UserError).code, ErrorCode.unknownName);
    assert.match((error as UserError).message, 'did you mean "ViT-B-16"?');
  }
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
