/**
 * Zero-shot classification heads, as the reference builds them: for every class,
 * the template texts are encoded and L2-normalised, averaged, and the mean
 * renormalised; logits = 100 x (normalised image embedding . class embedding).
 */
import type { ImageTextEncoder } from '../../adapters/types.ts';
import { fillTemplate } from '../../templates/index.ts';

export interface Classifier {
  /** [classes, embeddingSize], each row L2-normalised. */
  weights: Float32Array;
  classes: number;
  embeddingSize: number;
}

/** Class embeddings from a template set; one encodeTexts call for all prompts. */
export async function buildClassifier(encoder: Pick<ImageTextEncoder, 'encodeTexts' | 'manifest'>, classNames: readonly string[], templates: readonly string[]): Promise<Classifier> {
  const prompts = classNames.flatMap((name) => templates.map((template) => fillTemplate(template, name)));
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
