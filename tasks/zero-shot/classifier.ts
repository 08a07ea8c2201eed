/**
 * Zero-shot classification heads, as the reference builds them: for every class,
 * the template texts are encoded and L2-normalised, averaged, and the mean
 * renormalised; logits = 100 x (normalised image embedding . class embedding).
 */
import { createHash } from 'node:crypto';
import type { ImageTextEncoder } from '../../adapters/types.ts';
import { ErrorCode, UserError, quoted } from '../../core/errors.ts';
import { fillTemplate } from '../../templates/index.ts';

export interface Classifier {
  /** [classes, embeddingSize], each row L2-normalised. */
  weights: Float32Array;
  classes: number;
  embeddingSize: number;
}

type TextEncoder = Pick<ImageTextEncoder, 'encodeTexts' | 'manifest' | 'tokenize'>;

function promptsOf(classNames: readonly string[], templates: readonly string[]): string[] {
  return classNames.flatMap((name) => templates.map((template) => fillTemplate(template, name)));
}

/**
 * Refuses classes the model cannot tell apart: two classes whose prompts are the same
 * token ids under every template. A template so long that the context length cuts
 * off the class name does this to every class (and the head scores chance); so do two
 * names the tokenizer reads alike ("Forest", "forest "). Needs `encoder.tokenize`;
 * without it nothing is checked.
 */
export function checkDistinctPrompts(encoder: TextEncoder, classNames: readonly string[], templates: readonly string[], templateSet = 'the template set', prompts = promptsOf(classNames, templates)): void {
  if (encoder.tokenize === undefined || classNames.length < 2) return;
  const { contextLength, padId } = encoder.manifest.text;
  const ids = encoder.tokenize(prompts);
  const rows = templates.length * contextLength;
  const classOf = new Map<string, number>();
  for (let index = 0; index < classNames.length; index++) {
    const block = ids.subarray(index * rows, (index + 1) * rows);
    const key = createHash('sha256').update(new Uint8Array(block.buffer, block.byteOffset, block.byteLength)).digest('hex');
    const other = classOf.get(key);
    if (other === undefined) {
      classOf.set(key, index);
      continue;
    }
    // A row with no padding left was cut at the context length.
    let cut = false;
    for (let row = 0; row < templates.length && !cut; row++) cut = block[(row + 1) * contextLength - 1] !== BigInt(padId);
    const pair = `classes ${quoted(classNames[other])} and ${quoted(classNames[index])}`;
    if (cut) {
      throw new UserError(ErrorCode.templatesInvalid, `template set ${quoted(templateSet)}: ${pair} get the same prompts once cut to the text tower's ${contextLength} tokens, so the model cannot tell them apart; shorten the templates (put {c} early) or the class names`);
    }
    throw new UserError(ErrorCode.usage, `${pair} give the same prompts with template set ${quoted(templateSet)} (the tokenizer lower-cases and folds spaces), so the model cannot tell them apart; rename or merge one of them`);
  }
}

/** Class embeddings from a template set; one encodeTexts call for all prompts. */
export async function buildClassifier(encoder: TextEncoder, classNames: readonly string[], templates: readonly string[], options: { templateSet?: string } = {}): Promise<Classifier> {
  const prompts = promptsOf(classNames, templates);
  checkDistinctPrompts(encoder, classNames, templates, options.templateSet, prompts);
  const embeddings = await encoder.encodeTexts(prompts);
  const size = encoder.manifest.embeddingSize;
  const weights = new Float32Array(classNames.length * size);
  const mean = new Float64Array(size);
  for (let c = 0; c < classNames.length; c++) {
    mean.fill(0);
    for (let t = 0; t < templates.length; t++) {
      const row = (c * templates.length + t) * size;
      for (let d = 0; d < size; d++) mean[d] += embeddings[row + d];
    }
    // The reference divides by the template count before renormalising; the
    // division cancels out but is kept so float32 rounding follows the same path.
    let norm = 0;
    for (let d = 0; d < size; d++) {
      mean[d] = Math.fround(mean[d] / templates.length);
      norm += mean[d] * mean[d];
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < size; d++) weights[c * size + d] = mean[d] / norm;
  }
  return { weights, classes: classNames.length, embeddingSize: size };
}

/** logits[i, c] = 100 x image[i] . class[c], float32 out, float64 accumulation. */
export function zeroShotLogits(imageEmbeddings: Float32Array, count: number, classifier: Classifier, out?: Float32Array): Float32Array {
  const { weights, classes, embeddingSize: size } = classifier;
  const logits = out ?? new Float32Array(count * classes);
  for (let i = 0; i < count; i++) {
    const image = i * size;
    for (let c = 0; c < classes; c++) {
      const row = c * size;
      let dot = 0;
      for (let d = 0; d < size; d++) dot += imageEmbeddings[image + d] * weights[row + d];
      logits[i * classes + c] = 100 * dot;
    }
  }
  return logits;
}
