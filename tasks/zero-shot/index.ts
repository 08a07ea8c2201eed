/**
 * Zero-shot classification and retrieval, as the reference evaluates them: class
 * embeddings from the template set, logits = 100 x cosine, then single-label metrics
 * (acc1, acc5, mean per-class recall, mAP@100) or multi-label ones (average class
 * accuracy, mAP@100 per label).
 */
import { multiLabelMetrics, singleLabelMetrics } from '../../metrics/index.ts';
import type { EvaluationTask, TaskInput, TaskOutput } from '../task.ts';
import { buildClassifier, zeroShotLogits } from './classifier.ts';

/** The targets the metrics compare with: class indices, or a [rows, classes] 0/1 matrix. */
export function targetsOf(input: Pick<TaskInput, 'labelKind' | 'labels' | 'classes'>): Int32Array | Uint8Array {
  const count = input.labels.length;
  const classes = input.classes.length;
  if (input.labelKind === 'multi-label') {
    const targets = new Uint8Array(count * classes);
    input.labels.forEach((labels, row) => { for (const label of labels) targets[row * classes + label] = 1; });
    return targets;
  }
  return Int32Array.from(input.labels, (labels) => labels[0]);
}

export const zeroShot: EvaluationTask = {
  name: 'zero-shot',
  aliases: ['zeroshot_classification', 'zeroshot'],
  description: 'Zero-shot classification and text-to-image retrieval with prompt templates (the reference evaluation).',
  usesTemplates: true,
  async run(input: TaskInput): Promise<TaskOutput> {
    const classifier = input.classEmbeddings
      ? { weights: input.classEmbeddings, classes: input.classes.length, embeddingSize: input.encoder.manifest.embeddingSize }
      : await buildClassifier(input.encoder, input.classes, input.templates.templates, { templateSet: input.templates.name });
    const count = input.labels.length;
    const classes = input.classes.length;
    const logits = zeroShotLogits(input.embeddings, count, classifier);
    const targets = targetsOf(input);
    const result = input.labelKind === 'multi-label'
      ? multiLabelMetrics(logits, count, classes, targets as Uint8Array)
      : singleLabelMetrics(logits, count, classes, targets as Int32Array);
    return { metrics: result.metrics, perClass: result.perClass, logits, targets };
  },
};
