// The zero-shot head refuses classes its prompts cannot tell apart: a template so long
// that the 77-token cut removes every class name (chance accuracy without a word
// before), or names the tokenizer reads alike. A stand-in text tower with the real
// CLIP tokenizer: embeddings are a function of the token ids, as a real tower's are.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClipTokenizer, DEFAULT_VOCABULARY } from '../../../adapters/tokenizer.ts';
import type { BundleManifest } from '../../../adapters/types.ts';
import { ErrorCode, isUserError, type UserError } from '../../../core/errors.ts';
import { buildClassifier } from '../../../tasks/zero-shot/classifier.ts';

const tokenizer = await ClipTokenizer.load(DEFAULT_VOCABULARY);
const SIZE = 8;
const manifest = { embeddingSize: SIZE, text: { contextLength: 77, padId: 0 } } as unknown as BundleManifest;

/** Embeddings from the ids alone: identical rows of ids give identical embeddings. */
function encodeTexts(texts: readonly string[]): Promise<Float32Array> {
  const ids = tokenizer.tokenize(texts);
  const out = new Float32Array(texts.length * SIZE);
  for (let row = 0; row < texts.length; row++) {
    for (let column = 0; column < 77; column++) out[row * SIZE + (column % SIZE)] += Number(ids[row * 77 + column] % 1000n) / 1000;
  }
  return Promise.resolve(out);
}

const encoder = { manifest, encodeTexts, tokenize: (texts: readonly string[]) => tokenizer.tokenize(texts) };
const LONG = `${'a very long and detailed description of a satellite scene '.repeat(9)}showing {c}.`;

async function refusal(run: Promise<unknown>): Promise<UserError> {
  try {
    await run;
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  return assert.unreachable('expected a UserError') as never;
}

test('a template that cuts every class name off is refused, naming two classes and the template set', async () => {
  // Without the check the head is built, and every class gets the same weights.
  const blind = await buildClassifier({ manifest, encodeTexts }, ['forest', 'river', 'sea lake'], [LONG]);
  assert.equal(blind.weights.subarray(0, SIZE), blind.weights.subarray(SIZE, 2 * SIZE));
  const error = await refusal(buildClassifier(encoder, ['forest', 'river', 'sea lake'], [LONG, `In short: ${LONG}`], { templateSet: 'long.json' }));
  assert.is(error.code, ErrorCode.templatesInvalid);
  assert.is(error.message, 'template set "long.json": classes "forest" and "river" get the same prompts once cut to the text tower\'s 77 tokens, so the model cannot tell them apart; shorten the templates (put {c} early) or the class names');
});

test('names the tokenizer reads alike are refused; a newline in a name stays quoted', async () => {
  const error = await refusal(buildClassifier(encoder, ['Forest', 'river', ' forest\n'], ['a photo of {c}.'], { templateSet: 'msclip' }));
  assert.is(error.code, ErrorCode.usage);
  assert.is(error.message, 'classes "Forest" and " forest\\n" give the same prompts with template set "msclip" (the tokenizer lower-cases and folds spaces), so the model cannot tell them apart; rename or merge one of them');
});

test('distinct prompts build as before, even when one template is cut', async () => {
  const classifier = await buildClassifier(encoder, ['forest', 'river'], ['a photo of {c}.', LONG]);
  assert.is(classifier.classes, 2);
  assert.not.equal(classifier.weights.subarray(0, SIZE), classifier.weights.subarray(SIZE, 2 * SIZE));
});

test.run();
