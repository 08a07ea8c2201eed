/** The model registry: names, aliases, did-you-mean, the facts each entry states. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findModel, listModels, lookupModel, modelNames, registerModel, type ModelEntry } from '../../adapters/registry.ts';
import { ErrorCode, UserError } from '../../core/errors.ts';

test('the paper figure and reference CLI models are registered', () => {
  assert.equal(modelNames().slice(0, 8), ['Llama3-MS-CLIP-Base', 'ViT-B-16', 'ViT-L-14', 'ViT-B-32', 'RemoteCLIP', 'GeoRSCLIP', 'SkyCLIP', 'Llama3-RGB-CLIP-Base']);
  const ms = findModel('Llama3-MS-CLIP-Base');
  assert.is(ms.architecture, 'ViT-B-16');
  assert.is(ms.checkpointFormat, 'msclip-training-module');
  assert.equal(ms.image.bands, ['B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12']);
  assert.equal(ms.image.mean, [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645]);
  assert.equal(ms.image.std, [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08]);
  assert.equal(ms.weights, { kind: 'huggingface', repo: 'ibm-esa-geospatial/Llama3-MS-CLIP-base', file: 'Llama3_MS_CLIP_weights.pt' });
  assert.equal(findModel('ViT-B-16').weights, { kind: 'open_clip', pretrained: 'laion2b_s34b_b88k', repo: 'laion/CLIP-ViT-B-16-laion2B-s34B-b88K' });
  assert.equal(findModel('ViT-L-14').weights, { kind: 'open_clip', pretrained: 'laion2b_s32b_b82k', repo: 'laion/CLIP-ViT-L-14-laion2B-s32B-b82K' });
  assert.equal(findModel('ViT-B-32').weights, { kind: 'open_clip', pretrained: 'laion2b_s34b_b79k', repo: 'laion/CLIP-ViT-B-32-laion2B-s34B-b79K' });
  assert.is(findModel('Llama3-RGB-CLIP-Base').weights.kind, 'unpublished');
  for (const entry of listModels()) {
    assert.equal(entry.text, { contextLength: 77, padId: 0, startId: 49406, endId: 49407 }, entry.name);
    assert.is(entry.image.mean.length, entry.image.bands.length, entry.name);
    if (entry.image.kind === 'rgb') assert.equal(entry.image.bands, ['red', 'green', 'blue'], entry.name);
  }
});

test('open_clip ViT-L-14 laion2b normalises with 0.5 (its pretrained config), the others with CLIP stats', () => {
  assert.equal(findModel('ViT-L-14').image.mean, [0.5, 0.5, 0.5]);
  assert.equal(findModel('ViT-B-16').image.mean, [0.48145466, 0.4578275, 0.40821073]);
  assert.equal(findModel('RemoteCLIP').image.std, [0.26862954, 0.26130258, 0.27577711]);
});

test('aliases and case-insensitive names resolve to the canonical entry', () => {
  assert.is(findModel('OpenCLIP-ViT-B-16').name, 'ViT-B-16');
  assert.is(findModel('ViT-L/14').name, 'ViT-L-14');
  assert.is(findModel('llama3-ms-clip-base').name, 'Llama3-MS-CLIP-Base');
  assert.is(findModel('Llama3-MS-CLIP').name, 'Llama3-MS-CLIP-Base');
  assert.is(findModel('skyclip').name, 'SkyCLIP');
  assert.is(lookupModel('nope'), undefined);
});

test('an unknown name is a did-you-mean error listing the registry', () => {
  try {
    findModel('Llama3-MS-CLP');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UserError);
    assert.is((error as UserError).code, ErrorCode.unknownName);
    assert.match((error as UserError).message, 'unknown model "Llama3-MS-CLP": did you mean "Llama3-MS-CLIP-Base"?');
    assert.match((error as UserError).message, 'ViT-B-16, ViT-L-14, ViT-B-32, RemoteCLIP, GeoRSCLIP, SkyCLIP, Llama3-RGB-CLIP-Base');
  }
});

test('registerModel adds demo models and refuses clashes and bad stats', () => {
  const demo: ModelEntry = {
    name: 'Registry-Test-Tiny',
    aliases: ['registry-test'],
    label: 'Registry test',
    family: 'demo',
    architecture: 'Registry-Test-Tiny',
    modelConfig: 'test/fixtures/adapters/Registry-Test-Tiny.json',
    checkpointFormat: 'open_clip',
    image: { kind: 'multispectral', bands: ['B04', 'B08'], size: 32, interpolation: 'bilinear', mean: [1, 2], std: [3, 4] },
    text: { contextLength: 77, padId: 0, startId: 49406, endId: 49407 },
    weights: { kind: 'local', path: 'models/.demo/x.pt', hint: 'run the demo trainer' },
  };
  registerModel(demo);
  assert.is(findModel('REGISTRY-TEST').name, 'Registry-Test-Tiny');
  assert.throws(() => registerModel({ ...demo, aliases: [] }), /already registered/);
  assert.throws(() => registerModel({ ...demo, name: 'Other', aliases: ['vit-b-16'] }), /"vit-b-16" is already registered/);
  assert.throws(() => registerModel({ ...demo, name: 'Other2', aliases: [], image: { ...demo.image, mean: [1] } }), /one mean and one std per band/);
});

test.run();
