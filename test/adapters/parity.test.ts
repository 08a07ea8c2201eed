/**
 * TypeScript embeddings equal PyTorch's on real-sized models and inputs: a seeded
 * random checkpoint in the official Llama3-MS-CLIP format (training-module
 * state_dict, 10 bands, 224px) and one in open_clip's ViT-B-16 format (3 bands),
 * each exported by the project's exporter from the checkpoint file, run through
 * openBundle (ONNX Runtime + the TypeScript tokenizer), compared with torch's
 * L2-normalised embeddings of the same checkpoint, images and prompts.
 * Needs the Python environment (made on first use); exports are cached in
 * .cache/test-bundles.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyBundle } from '../../adapters/bundle.ts';
import { openBundle } from '../../adapters/clip.ts';
import { ensurePythonEnvironment } from '../../adapters/export/python-env.mjs';
import { findModel } from '../../adapters/registry.ts';
import { ClipTokenizer } from '../../adapters/tokenizer.ts';
import { maxAbsDifference, prepareParityCase } from '../../scripts/parity/support.ts';

const TOLERANCE = 1e-4;
const log = (line: string): void => console.log(`  ${line}`);

ensurePythonEnvironment({ quiet: true });

for (const [model, seed] of [
  ['Llama3-MS-CLIP-Base', 20250101],
  ['ViT-B-16', 20250202],
] as const) {
  test(`${model}: TypeScript (ONNX) vs torch embeddings of a seeded official-format checkpoint`, async () => {
    const entry = findModel(model);
    const parity = await prepareParityCase(model, seed, { imageCount: 3, log });
    const manifest = await verifyBundle(parity.bundle);
    assert.is(manifest.name, entry.name);
    assert.equal(manifest.image.bands, entry.image.bands);
    assert.equal(manifest.image.mean, entry.image.mean);
    assert.is(manifest.image.size, 224);
    assert.is(manifest.embeddingSize, 512);
    assert.is(manifest.source.kind, 'checkpoint');
    assert.is(manifest.source.checkpointSha256, parity.checkpointSha256);

    // Text parity goes through tokenization: open_clip's ids must be ours, id for id.
    const tokenizer = await ClipTokenizer.load(join(parity.bundle, manifest.text.vocabulary), manifest.text);
    assert.equal([...tokenizer.tokenize(parity.prompts)], [...parity.referenceTokenIds]);

    const encoder = await openBundle(parity.bundle, { device: 'cpu' });
    try {
      assert.is(encoder.provider, 'cpu');
      const images = await encoder.encodeImages(parity.images, parity.imageCount);
      const texts = await encoder.encodeTexts(parity.prompts);
      // Batched and one-by-one give the same rows (dynamic batch axis, no cross-talk).
      const single = await encoder.encodeImages(parity.images.subarray(0, parity.images.length / parity.imageCount), 1);
      const imageDifference = maxAbsDifference(images, parity.referenceImages);
      const textDifference = maxAbsDifference(texts, parity.referenceTexts);
      log(`${model}: max abs diff vs torch (L2-normalised): image ${imageDifference.toExponential(2)} (${parity.imageCount} x ${entry.image.bands.length}x224x224), text ${textDifference.toExponential(2)} (${parity.prompts.length} prompts)`);
      assert.ok(imageDifference <= TOLERANCE, `image embeddings differ by ${imageDifference}`);
      assert.ok(textDifference <= TOLERANCE, `text embeddings differ by ${textDifference}`);
      assert.ok(maxAbsDifference(single, images.subarray(0, 512)) <= 1e-5);
      // Rows are unit length, and the inputs are not degenerate (distinct embeddings).
      for (let row = 0; row < parity.imageCount; row++) {
        const norm = Math.hypot(...images.subarray(row * 512, (row + 1) * 512));
        assert.ok(Math.abs(norm - 1) < 1e-5, `row ${row} norm ${norm}`);
      }
      assert.ok(maxAbsDifference(images.subarray(0, 512), images.subarray(512, 1024)) > 1e-3, 'two different images gave the same embedding');
      assert.ok(maxAbsDifference(texts.subarray(0, 512), texts.subarray(512, 1024)) > 1e-3, 'two different prompts gave the same embedding');
    } finally {
      await encoder.dispose();
    }
  });
}

test.run();
