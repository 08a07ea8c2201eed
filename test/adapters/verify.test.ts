// Provenance that cannot lie: a bundle file that changed since export is refused when
// the model is opened (not only by a separate verify step), the verified hashes are
// remembered by size and mtime, and a model's folder holding another model's bundle is
// refused; a --models-dir without the demo bundle says it falls back to the shipped one.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openBundle } from '../../adapters/clip.ts';
import { demoModelDirectory } from '../../adapters/demo-models.ts';
import { resolveBundle } from '../../adapters/resolve.ts';
import { ErrorCode } from '../../core/errors.ts';
import { rejection } from '../support/assertions.ts';

const work = mkdtempSync(join(tmpdir(), 'verify-'));
process.env.MSCLIP_CACHE_DIR = join(work, 'cache');
test.after(() => rmSync(work, { recursive: true, force: true }));

test('a bundle file changed after export is refused when the model is opened, naming the file', async () => {
  const copy = join(work, 'tampered');
  cpSync(demoModelDirectory('Demo-MS-CLIP-Tiny'), copy, { recursive: true });
  const encoder = await openBundle(copy, { device: 'cpu' });
  await encoder.dispose();
  const verified = JSON.parse(readFileSync(join(work, 'cache', 'verified-bundles.json'), 'utf8')) as Record<string, unknown>;
  assert.ok(Object.keys(verified).some((file) => file.endsWith('tampered/image.onnx')), 'verified hash not remembered');
  const bytes = readFileSync(join(copy, 'text.onnx'));
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(join(copy, 'text.onnx'), bytes);
  const error = await rejection(openBundle(copy, { device: 'cpu' }));
  assert.is(error.code, ErrorCode.bundleInvalid);
  assert.match(error.message, /text\.onnx has sha256 [0-9a-f]{64}, bundle\.json says [0-9a-f]{64}: the file changed since export; re-export/);
});

test('a folder named for one model holding another model\'s bundle is refused', async () => {
  const modelsDir = join(work, 'models');
  cpSync(demoModelDirectory('Demo-MS-CLIP-Tiny'), join(modelsDir, 'Llama3-MS-CLIP-Base'), { recursive: true });
  const error = await rejection(resolveBundle({ name: 'Llama3-MS-CLIP-Base', modelsDir, allowExport: false }));
  assert.is(error.code, ErrorCode.bundleInvalid);
  assert.match(error.message, /is a bundle of "Demo-MS-CLIP-Tiny", not of "Llama3-MS-CLIP-Base"/);
});

test('a --models-dir without the demo bundle: the shipped one is used, and the run says so', async () => {
  const notes: string[] = [];
  const directory = await resolveBundle({ name: 'Demo-RGB-CLIP-Tiny', modelsDir: join(work, 'elsewhere'), allowExport: false, onProgress: (line) => notes.push(line) });
  assert.is(directory, demoModelDirectory('Demo-RGB-CLIP-Tiny'));
  assert.ok(notes.some((line) => /^note: no Demo-RGB-CLIP-Tiny bundle in .*elsewhere.*; using the one shipped in /.test(line)), notes.join('\n'));
});

test.run();
