/**
 * Zero-shot classification and retrieval, as the reference evaluates them: class
 * embeddings from the template set, logits = 100 x cosine, then single-label metrics
 * (acc1, acc5, mean per-class recall, mAP@100) or multi-label ones (average class
 * accuracy, mAP@100 per label).
 *
 * It scores every listed image (the reference's set), or with `--split test` the test
 * split file's images; the record says which (`split`).
 */
import { ErrorCode, UserError } from '../../core/errors.ts';
import { multiLabelMetrics, singleLabelMetrics } from '../../metrics/index.ts';
import type { EvaluationTask, TaskImages, TaskInput, TaskOptions, TaskOutput, TaskPlan } from '../task.ts';
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

type ZeroShotInput = Omit<TaskInput, 'rows' | 'ids'> & Partial<Pick<TaskInput, 'ids'>>;

export const zeroShot: EvaluationTask & { run(input: ZeroShotInput): Promise<TaskOutput> } = {
  name: 'zero-shot',
  aliases: ['zeroshot_classification', 'zeroshot'],
  description: 'Zero-shot classification and text-to-image retrieval with prompt templates (the reference evaluation).',
  usesTemplates: true,
  usesSplits: (options) => options.split === 'test',
  plan(images: TaskImages, options: TaskOptions): TaskPlan {
    const pool = options.split === 'test' ? images.splits.test : images.listing;
    if (pool === undefined) {
      throw new UserError(ErrorCode.usage, `${images.root}: --split test needs the dataset's test split file (test.txt; BigEarthNet: bigearthnet-test.csv); add it (see DATASETS.md) or leave --split out to score every image`, images.root);
    }
    return {
      requests: [{ pool: options.split === 'test' ? 'test' : 'listing', positions: Int32Array.from({ length: pool.size }, (_, index) => index) }],
      run: async (input) => {
        const output = await zeroShot.run(input);
        return [{ ...output, fields: { split: options.split } }];
      },
    };
  },
  /** One record's metrics: every row of `embeddings`, in order. */
  async run(input: ZeroShotInput): Promise<TaskOutput> {
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
    return { metrics: result.metrics, perClass: result.perClass, logits, targets, imageIds: input.ids ?? [] };
  },
};
