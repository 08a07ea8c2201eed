// The classify and retrieve commands as a user runs them (spawned): --json keeps stdout
// pure JSON, tables and CSV, the reference's space-separated lists, embeddings reuse,
// and one-line errors with exit code 1.
import type { ClassifyResult, RetrieveResult } from '../../cli/library.ts';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixtures, GOLDEN_CLASSES, makeTinyModels, projectRoot, readGolden } from '../support/inference.ts';
import { declaredSizeTiff } from '../support/tiff-bombs.ts';

const { root, modelsDir } = makeTinyModels();
const tiles = join(fixtures, 'tiles');

function run(command: 'classify' | 'retrieve', args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), command, ...args], {
      cwd: projectRoot,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// No store: these tests are about reading images (a stored embedding is never read again).
const model = ['--models-dir', modelsDir, '--device', 'cpu', '--no-export', '--no-cache'];

function expectOneLineError(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.is(result.code, 1, `exit code (stderr: ${result.stderr})`);
  // Notes (a skipped file) may come first; the error is the last line and the only one.
  const lines = result.stderr.trim().split('\n');
  assert.is(lines.filter((line) => line.startsWith('error: ')).length, 1, `one error line, got: ${result.stderr}`);
  assert.not.match(result.stderr, /^\s+at /m, 'no stack trace');
  assert.match(lines[lines.length - 1], /^error: /);
  assert.match(lines[lines.length - 1], pattern);
  assert.is(result.stdout, '');
}

test('classify --json: stdout is only JSON; notes go to stderr; space-separated class names work', async () => {
  const result = await run('classify', ['--images', tiles, '--class-names', ...GOLDEN_CLASSES, '--json', ...model]);
  assert.is(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as ClassifyResult;
  const golden = readGolden('ms');
  assert.equal(parsed.classes, GOLDEN_CLASSES);
  assert.equal(parsed.images.map((image: { name: string }) => image.name), golden.images);
  assert.equal(parsed.images.map((image: { class: string }) => image.class), golden.predicted);
  assert.match(result.stderr, /skipped .*notes\.txt: not an image file/);
});

test('classify prints a table and writes CSV with --save-path; comma lists work', async () => {
  const csv = join(root, 'out', 'classes.csv');
  const result = await run('classify', ['--images', tiles, '--class-names', 'forest,river', '--class-names', 'sea lake', '--save-path', csv, ...model]);
  assert.is(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.match(lines[0], /^Zero-shot classification \(Llama3-MS-CLIP-Base, templates msclip, 6 images\)/);
  assert.match(lines[1], /^Image\s+Class\s+forest\s+river\s+sea lake$/);
  assert.match(lines[3], /^B-l1c-uint16\.tif\s+\S.*\s0\.\d{3}$/);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  assert.is(rows[0], 'Image,Class,forest,river,sea lake');
  assert.is(rows.length, 7);
  const probabilities = rows[1].split(',').slice(2).map(Number);
  assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-6);
});

test('retrieve --json with a .yaml queries file, saving then reusing embeddings', async () => {
  const queries = join(root, 'queries.yaml');
  writeFileSync(queries, 'queries:\n  - a river\n  - dense forest, with clouds\n  - snow-covered mountains\n');
  const embeddings = join(root, 'tiles.embeddings');
  const first = await run('retrieve', ['--images', tiles, '--queries-file', queries, '--top-k', '3', '--save-embeddings', embeddings, '--json', ...model]);
  assert.is(first.code, 0, first.stderr);
  const golden = readGolden('ms');
  const parsed = JSON.parse(first.stdout) as RetrieveResult;
  assert.equal(parsed.queries.map((query: { results: { name: string }[] }) => query.results.map((hit) => hit.name)), golden.retrieval.map((query) => query.names));
  const second = await run('retrieve', ['--embeddings', embeddings, '--query', 'a river', '--top-k', '3', '--json', ...model]);
  assert.is(second.code, 0, second.stderr);
  const reused = JSON.parse(second.stdout) as RetrieveResult;
  assert.is(reused.embeddings.source, 'file');
  assert.equal(reused.queries[0].results.map((hit: { name: string }) => hit.name), golden.retrieval[0].names);
  assert.match(second.stderr, /using 6 saved image embeddings/);
});

test('retrieve prints a table; queries keep their commas', async () => {
  const result = await run('retrieve', ['--images', tiles, '--query', 'dense forest, with clouds', '--top-k', '2', ...model]);
  assert.is(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.match(lines[1], /^Query\s+Rank\s+Image\s+Similarity$/);
  assert.match(lines[3], /^dense forest, with clouds\s+1\s+\S+\s+-?\d\.\d{4}$/);
  assert.is(lines.length, 5);
});

test('bad input is one line on stderr and exit 1', async () => {
  const empty = join(root, 'empty');
  mkdirSync(empty, { recursive: true });
  expectOneLineError(await run('classify', ['--images', empty, '--class-names', 'a', ...model]), /empty: no images found/);
  expectOneLineError(await run('classify', ['--images', tiles, ...model]), /no classes: pass --class-names/);
  expectOneLineError(await run('retrieve', ['--images', tiles, '--query', 'x', '--bogus', ...model]), /Unknown option '--bogus'/);
  const broken = join(root, 'broken');
  mkdirSync(broken, { recursive: true });
  writeFileSync(join(broken, 'x.npy'), readFileSync(join(tiles, 'e-band-last.npy')).subarray(0, 0));
  expectOneLineError(await run('classify', ['--images', broken, '--class-names', 'a', ...model]), /x\.npy: not a NumPy \.npy file/);
  expectOneLineError(await run('retrieve', ['--images', tiles, '--query', 'x', '--models-dir', join(root, 'no-models'), '--no-export']), /no bundle for Llama3-MS-CLIP-Base .* --no-export is set/);
});

test('resource bombs and hostile numbers: one line and exit 1 before anything is allocated', async () => {
  const classes = ['--class-names', 'a,b'];
  expectOneLineError(await run('classify', ['--images', tiles, ...classes, '--batch-size', '-1', ...model]), /--batch-size must be a positive integer, got "-1"/);
  expectOneLineError(await run('classify', ['--images', tiles, ...classes, '--batch-size', '0x10', ...model]), /--batch-size must be a positive integer in plain decimal digits, got "0x10"/);
  expectOneLineError(await run('classify', ['--images', tiles, ...classes, '--batch-size', '1000000000', ...model]), /--batch-size 1000000000 needs [\d.]+ GB .* use --batch-size \d+ or less/);
  const bombs = join(root, 'bombs');
  mkdirSync(bombs, { recursive: true });
  writeFileSync(join(bombs, 'bomb.tif'), declaredSizeTiff(12000, 12000, 13));
  expectOneLineError(await run('classify', ['--images', bombs, ...classes, ...model]), /bomb\.tif: declares 12000x12000 = 144000000 pixels, more than the limit of 100000000 \(--max-image-pixels\); if the image is real, raise the limit with --max-image-pixels 144000000/);
  expectOneLineError(await run('retrieve', ['--images', tiles, '--query', 'x', '--max-image-pixels', '100', ...model]), /more than the limit of 100 \(--max-image-pixels\)/);
  const many = await run('retrieve', ['--images', tiles, '--query', 'x', '--workers', '1000', '--json', ...model]);
  assert.is(many.code, 0, many.stderr);
  assert.match(many.stderr, /note: --workers 1000 is more than the \d+ cores of this machine; using \d+/);
});

test('--help prints usage and exits 0', async () => {
  const result = await run('retrieve', ['--help']);
  assert.is(result.code, 0);
  assert.match(result.stdout, /^Usage: npm run retrieve/);
});

test.run();
