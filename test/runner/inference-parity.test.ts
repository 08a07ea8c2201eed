/**
 * classify/retrieve on a real-sized model equal the reference's float32 inference: a
 * seeded random Llama3-MS-CLIP checkpoint in the official format (training-module
 * state_dict) is exported by the project's exporter, our commands run its bundle on
 * the fixture tiles (every input format), and scripts/parity/inference.py runs the
 * reference's inference logic in torch on the same checkpoint and tiles.
 * Probabilities must agree within 1e-4 and rankings exactly. The `clip` template set
 * (3 prompts per class) keeps the text tower's share of the run short; the template
 * mechanics are the same for every set.
 *
 * Needs the Python environment (made on first use). The export and the torch answers
 * are cached in .cache/test-inference, keyed by everything they depend on, so only the
 * first run takes minutes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadEncoder } from '../../adapters/clip.ts';
import { exportBundle, writeRandomCheckpoint } from '../../adapters/export.ts';
import { ensurePythonEnvironment } from '../../adapters/export/python-env.mjs';
import { classify, retrieve } from '../../cli/library.ts';
import { fixtures, GOLDEN_CLASSES, GOLDEN_QUERIES, projectRoot, type Golden } from '../support/inference.ts';

const SEED = 424242;
const TOLERANCE = 1e-4;
const tiles = join(fixtures, 'tiles');
const log = (line: string): void => console.log(`  ${line}`);
const python = ensurePythonEnvironment({ quiet: true });

/** Everything the cached answers depend on. */
function cacheKey(): string {
  const hash = createHash('sha256').update(String(SEED)).update(JSON.stringify([GOLDEN_CLASSES, GOLDEN_QUERIES]));
  const inputs = [
    ...readdirSync(join(projectRoot, 'adapters/export')).filter((name) => name.endsWith('.py')).map((name) => join(projectRoot, 'adapters/export', name)),
    join(projectRoot, 'scripts/parity/inference.py'),
    join(projectRoot, 'templates/clip.json'),
    ...readdirSync(tiles).sort().map((name) => join(tiles, name)),
  ];
  for (const file of inputs) hash.update(file.slice(projectRoot.length)).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

async function prepare(): Promise<{ modelsDir: string; reference: Golden }> {
  const root = join(projectRoot, '.cache', 'test-inference');
  const folder = join(root, `msclip-seed${SEED}-${cacheKey()}`);
  const done = join(folder, 'reference.json');
  if (!existsSync(done)) {
    if (existsSync(root)) for (const name of readdirSync(root)) rmSync(join(root, name), { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const checkpoint = join(folder, 'checkpoint.pt');
    log(`writing a seeded random Llama3-MS-CLIP checkpoint (official format), seed ${SEED}`);
    await writeRandomCheckpoint({ model: 'Llama3-MS-CLIP-Base', seed: SEED, file: checkpoint, onProgress: () => {} });
    log('exporting it with --checkpoint (a minute or two)');
    await exportBundle({ model: 'Llama3-MS-CLIP-Base', checkpoint, modelsDir: join(folder, 'models'), onProgress: () => {} });
    log('running the reference inference logic in torch');
    const run = spawnSync(python, [join(projectRoot, 'scripts/parity/inference.py'), '--checkpoint', checkpoint, '--images', tiles,
      '--class-names', ...GOLDEN_CLASSES, '--templates', 'clip', '--query', ...GOLDEN_QUERIES, '--top-k', '6'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`scripts/parity/inference.py failed: ${run.stderr.slice(-2000)}`);
    rmSync(checkpoint);
    writeFileSync(done, run.stdout);
  }
  return { modelsDir: join(folder, 'models'), reference: JSON.parse(readFileSync(done, 'utf8')) as Golden };
}

test('Llama3-MS-CLIP (random official-format checkpoint): classify and retrieve match the reference in float32', async () => {
  const { modelsDir, reference } = await prepare();
  // One encoder for both calls: loading a real-sized bundle takes seconds.
  const encoder = await loadEncoder({ name: 'Llama3-MS-CLIP-Base', modelsDir, device: 'cpu', allowExport: false });
  const options = { model: 'Llama3-MS-CLIP-Base', images: tiles, encoder, batchSize: 4 };
  const classified = await classify({ ...options, classNames: GOLDEN_CLASSES, templates: 'clip' });
  assert.equal(classified.images.map((image) => image.name), reference.images);
  let worst = 0;
  classified.images.forEach((image, row) => image.probabilities.forEach((value, column) => { worst = Math.max(worst, Math.abs(value - reference.probabilities[row][column])); }));
  log(`max abs probability difference vs the reference: ${worst.toExponential(2)} (${reference.images.length} tiles x ${GOLDEN_CLASSES.length} classes)`);
  assert.ok(worst <= TOLERANCE, `probabilities differ by ${worst}`);
  assert.equal(classified.images.map((image) => image.class), reference.predicted);
  // The random model must not be degenerate: probabilities vary between tiles.
  const spread = Math.max(...classified.images.map((image) => Math.abs(image.probabilities[0] - classified.images[0].probabilities[0])));
  assert.ok(spread > 1e-4, 'every tile got the same probabilities');

  const retrieved = await retrieve({ ...options, queries: GOLDEN_QUERIES, topK: 6 });
  retrieved.queries.forEach((query, index) => {
    assert.equal(query.results.map((hit) => hit.name), reference.retrieval[index].names, `ranking for "${query.query}"`);
    query.results.forEach((hit, rank) => assert.ok(Math.abs(hit.similarity - reference.retrieval[index].similarities[rank]) <= TOLERANCE));
  });
  await encoder.dispose();
});

test.run();
