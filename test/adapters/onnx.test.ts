/**
 * The ONNX backend on a tiny committed image tower (scripts/golden/adapters.py):
 * outputs against numpy, input checking, device selection on this machine.
 */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSession, describeProviders, providerCandidates } from '../../adapters/onnx.ts';
import { ErrorCode } from '../../core/errors.ts';
import { rejection } from '../support/assertions.ts';

const MODEL = new URL('../fixtures/adapters/tiny-image.onnx', import.meta.url).pathname;
const golden = JSON.parse(readFileSync(new URL('../fixtures/adapters/tiny-image.json', import.meta.url), 'utf8')) as { dims: number[]; image: number[]; features: number[] };

test('runs the model on CPU and matches numpy', async () => {
  const session = await createSession(MODEL, { device: 'cpu', threads: 1 });
  assert.is(session.provider, 'cpu');
  assert.equal(session.inputNames, ['image']);
  assert.equal(session.inputShape('image'), ['batch', 10, 8, 8]);
  const result = await session.run('image', 'image_features', { data: Float32Array.from(golden.image), dims: golden.dims });
  assert.equal(result.dims, [2, 4]);
  const worst = Math.max(...golden.features.map((value, index) => Math.abs(value - result.data[index])));
  assert.ok(worst < 1e-5, `max abs diff ${worst}`);
  // Dynamic batch: one image alone gives the same row.
  const single = await session.run('image', 'image_features', { data: Float32Array.from(golden.image.slice(0, 640)), dims: [1, 10, 8, 8] });
  assert.ok(Math.max(...golden.features.slice(0, 4).map((value, index) => Math.abs(value - single.data[index]))) < 1e-5);
  await session.dispose();
});

test('a wrong input shape names the model, input, expected and actual shapes', async () => {
  const session = await createSession(MODEL, { device: 'cpu' });
  const error = await rejection(session.run('image', 'image_features', { data: new Float32Array(2 * 3 * 8 * 8), dims: [2, 3, 8, 8] }));
  assert.is(error.code, ErrorCode.modelInput);
  assert.is(error.message, 'tiny-image.onnx expects input "image" [batch,10,8,8], got [2,3,8,8]');
  const rank = await rejection(session.run('image', 'image_features', { data: new Float32Array(10 * 8 * 8), dims: [10, 8, 8] }));
  assert.is(rank.message, 'tiny-image.onnx expects input "image" [batch,10,8,8], got [10,8,8]');
  const type = await rejection(session.run('image', 'image_features', { data: new BigInt64Array(640), dims: [1, 10, 8, 8] }));
  assert.match(type.message, 'expects input "image" of type float32, got int64');
  const name = await rejection(session.run('pixels', 'image_features', { data: new Float32Array(640), dims: [1, 10, 8, 8] }));
  assert.match(name.message, 'has no tensor input "pixels" (its inputs: image)');
  const length = await rejection(session.run('image', 'image_features', { data: new Float32Array(600), dims: [1, 10, 8, 8] }));
  assert.match(length.message, 'needs 640 values, got 600');
  await session.dispose();
});

test('auto picks CPU quietly when no GPU provider can load here', async () => {
  // CUDA and WebGPU are candidates only where their files and a device are present.
  const candidates = providerCandidates('auto');
  const session = await createSession(MODEL, { device: 'auto' });
  if (candidates[0] === 'cpu') assert.is(session.provider, 'cpu');
  assert.ok(candidates.includes(session.provider), `auto picked ${session.provider}, not one of ${candidates.join(', ')}`);
  // Whatever auto picked runs the model and gives the CPU's numbers.
  const cpu = await createSession(MODEL, { device: 'cpu' });
  const input = { data: Float32Array.from(golden.image), dims: golden.dims };
  const picked = await session.run('image', 'image_features', input);
  const reference = await cpu.run('image', 'image_features', input);
  assert.is(picked.data.length, reference.data.length);
  for (let index = 0; index < reference.data.length; index++) assert.ok(Math.abs(picked.data[index] - reference.data[index]) < 1e-3, `${session.provider} feature ${index}`);
  await Promise.all([session.dispose(), cpu.dispose()]);
});

const cudaInstalled = describeProviders().find((provider) => provider.name === 'cuda')?.installed === true;
const webgpuCandidate = providerCandidates('auto').includes('webgpu');
// Where both GPU providers load there is no failure to check: skipped, not passed.
(cudaInstalled && webgpuCandidate ? test.skip : test)('an explicit GPU device that cannot load is a clear device error', async () => {
  if (!cudaInstalled) {
    const error = await rejection(createSession(MODEL, { device: 'cuda' }));
    assert.is(error.code, ErrorCode.deviceUnavailable);
    assert.match(error.message, /^--device cuda: onnxruntime-node's CUDA provider cannot load \(.*libonnxruntime_providers_cuda\.so is not installed\): install it with: ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js/);
  }
  if (!webgpuCandidate) {
    const error = await rejection(createSession(MODEL, { device: 'webgpu' }));
    assert.is(error.code, ErrorCode.deviceUnavailable);
    assert.match(error.message, /^--device webgpu: onnxruntime-node's WebGPU provider cannot start \(.+\): /);
    assert.not.match(error.message, '\n');
  }
});

test('a missing model file is a bundle error naming the file', async () => {
  const error = await rejection(createSession('/nonexistent/image.onnx', { device: 'cpu' }));
  assert.is(error.code, ErrorCode.bundleInvalid);
  assert.match(error.message, '/nonexistent/image.onnx does not exist');
});

test.run();
