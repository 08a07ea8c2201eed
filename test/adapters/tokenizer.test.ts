// The CLIP tokenizer against golden ids from scripts/golden/tokens.py, which runs
// OpenCLIP 3.3.0's own tokenizer (`open_clip.get_tokenizer('ViT-B-16')`, ftfy 6.3.1):
// every benchmark prompt, tricky strings and seeded mojibake, id for id.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClipTokenizer, DEFAULT_VOCABULARY, cleanText } from '../../adapters/tokenizer.ts';
import { ErrorCode, isUserError } from '../../core/errors.ts';
import { fillTemplate, loadTemplateSet, TEMPLATE_SET_NAMES } from '../../templates/index.ts';

/** [text, ids up to and including the end token] */
type PromptRow = [string, number[]];
/** [text, OpenCLIP's cleaned text, ids] */
type CleanedRow = [string, string, number[]];
interface Golden {
  vocabulary_sha256: string;
  context_length: number;
  classes: Record<string, string[]>;
  prompts: PromptRow[];
  tricky: CleanedRow[];
  mojibake: CleanedRow[];
}

const golden = JSON.parse(readFileSync(new URL('../fixtures/tokenizer/tokens.json', import.meta.url), 'utf8')) as Golden;
const START = 49406;
const END = 49407;

const tokenizer = await ClipTokenizer.load(DEFAULT_VOCABULARY);

/** Compares every row of `tokenize(texts)` with its golden prefix and checks the padding is 0. */
function compareRows(rows: readonly (readonly [string, readonly number[]])[]): void {
  const width = tokenizer.contextLength;
  const ids = tokenizer.tokenize(rows.map(([text]) => text));
  assert.is(ids.length, rows.length * width);
  const mismatches: string[] = [];
  rows.forEach(([text, expected], row) => {
    const actual = Array.from(ids.subarray(row * width, (row + 1) * width), Number);
    const padded = [...expected, ...new Array<number>(width - expected.length).fill(0)];
    if (actual.join(',') !== padded.join(',')) mismatches.push(`${JSON.stringify(text)}: got ${actual.join(',')}, want ${padded.join(',')}`);
  });
  assert.equal(mismatches.slice(0, 5), [], `${mismatches.length} of ${rows.length} rows differ`);
}

test('the shipped vocabulary is the one the goldens were made with', () => {
  const sha256 = createHash('sha256').update(readFileSync(DEFAULT_VOCABULARY)).digest('hex');
  assert.is(sha256, golden.vocabulary_sha256);
  assert.is(tokenizer.vocabularySize, 49408);
  assert.is(tokenizer.startId, START);
  assert.is(tokenizer.endId, END);
  assert.is(tokenizer.padId, 0);
  assert.is(tokenizer.contextLength, golden.context_length);
});

test('every benchmark prompt: templates filled like the reference, ids like OpenCLIP', () => {
  const prompts = new Set<string>();
  for (const name of TEMPLATE_SET_NAMES) {
    const { templates } = loadTemplateSet(name);
    for (const classes of Object.values(golden.classes)) {
      for (const className of classes) for (const template of templates) prompts.add(fillTemplate(template, className));
    }
  }
  assert.equal([...prompts], golden.prompts.map(([text]) => text));
  assert.ok(golden.prompts.length > 4000);
  compareRows(golden.prompts);
});

test('tricky strings: cleaned text and ids like OpenCLIP', () => {
  const cleaned = golden.tricky.filter(([text, clean]) => cleanText(text) !== clean).map(([text]) => text);
  assert.equal(cleaned, []);
  assert.ok(golden.tricky.length >= 40);
  compareRows(golden.tricky.map(([text, , ids]) => [text, ids] as const));
});

test('seeded mojibake: cleaned text and ids like OpenCLIP', () => {
  const cleaned = golden.mojibake.filter(([text, clean]) => cleanText(text) !== clean).map(([text]) => text);
  assert.equal(cleaned, []);
  compareRows(golden.mojibake.map(([text, , ids]) => [text, ids] as const));
});

test('encode gives the ids between start and end', () => {
  for (const [text, ids] of golden.prompts.slice(0, 50)) assert.equal(tokenizer.encode(text), ids.slice(1, -1));
  assert.equal(tokenizer.encode(''), []);
});

test('short rows are padded with 0 after the end token', () => {
  const row = Array.from(tokenizer.tokenize(['a'])).map(Number);
  const expected = golden.tricky.find(([text]) => text === 'a');
  assert.ok(expected);
  assert.equal(row.slice(0, 3), expected[2]);
  assert.is(row.length, 77);
  assert.ok(row.slice(3).every((id) => id === 0));
});

test('long rows are cut to the context length with the end token last', () => {
  const long = golden.tricky.filter(([, , ids]) => ids.length === 77);
  assert.ok(long.length >= 3);
  const ids = tokenizer.tokenize(long.map(([text]) => text));
  long.forEach(([, , expected], row) => {
    assert.is(Number(ids[row * 77 + 76]), END);
    assert.is(Number(ids[row * 77]), START);
    assert.equal(Array.from(ids.subarray(row * 77, row * 77 + 77), Number), expected);
  });
});

test('options: context length, start, end and pad ids', async () => {
  const [text, , full] = golden.tricky.find(([, , ids]) => ids.length === 77) as CleanedRow;
  const short = await ClipTokenizer.load(DEFAULT_VOCABULARY, { contextLength: 16 });
  assert.equal(Array.from(short.tokenize([text]), Number), [...full.slice(0, 15), END]);
  const custom = await ClipTokenizer.load(DEFAULT_VOCABULARY, { contextLength: 8, startId: 1, endId: 2, padId: 3 });
  const row = Array.from(custom.tokenize(['a']), Number);
  assert.equal(row, [1, custom.encode('a')[0], 2, 3, 3, 3, 3, 3]);
  assert.is(tokenizer.tokenize([]).length, 0);
});

test('a missing or broken vocabulary file is a user error naming it', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'tokenizer-'));
  const missing = join(directory, 'missing.txt.gz');
  const notGzip = join(directory, 'plain.txt.gz');
  const tooShort = join(directory, 'short.txt.gz');
  writeFileSync(notGzip, 'not gzip');
  writeFileSync(tooShort, gzipSync('#version: 0.2\na b\n'));
  for (const file of [missing, notGzip, tooShort]) {
    try {
      await ClipTokenizer.load(file);
      assert.unreachable(`${file} loaded`);
    } catch (error) {
      assert.ok(isUserError(error), String(error));
      assert.is(error.code, ErrorCode.bundleInvalid);
      assert.ok(error.message.includes(file));
      assert.not.match(error.message, /\n/);
    }
  }
});

test.run();
