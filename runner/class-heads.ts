/**
 * Zero-shot class embeddings through the store's text cache (embeddings/text-cache.ts):
 * a template sweep or a rerun asks the text tower once per (text tower, template set,
 * class names), and the floats are the ones buildClassifier made the first time.
 *
 * Imports adapters' types, embeddings, tasks and templates.
 */
import type { ImageTextEncoder } from '../adapters/types.ts';
import { cachedClassEmbeddings, textStoreKey } from '../embeddings/text-cache.ts';
import { buildClassifier } from '../tasks/zero-shot/classifier.ts';
import type { TemplateSet } from '../templates/index.ts';

/** [classes, embeddingSize] class embeddings; `storeDir` undefined = no store (--no-cache). */
export async function classEmbeddings(encoder: ImageTextEncoder, classes: readonly string[], templates: TemplateSet, storeDir: string | undefined, onNote?: (note: string) => void): Promise<Float32Array> {
  const build = async (): Promise<Float32Array> => (await buildClassifier(encoder, classes, templates.templates, { templateSet: templates.name })).weights;
  if (storeDir === undefined) return build();
  return (await cachedClassEmbeddings({ dir: storeDir, key: textStoreKey(encoder, templates.sha256, classes), build, onNote })).embeddings;
}
