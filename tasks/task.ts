/**
 * The contract of an evaluation task: image embeddings of one dataset and its class
 * names in, metrics out. A task never reads images, runs an image tower or writes
 * files; it may use the model's text tower (zero-shot heads are made of prompts).
 * The runner turns its output into a record.
 *
 * Imports adapters' types, datasets' types, templates, metrics and core.
 */
import type { ImageTextEncoder } from '../adapters/types.ts';
import type { Task as LabelKind } from '../datasets/types.ts';
import type { PerClass } from '../metrics/index.ts';
import type { TemplateSet } from '../templates/index.ts';
import type { Named } from '../core/registry.ts';

export interface TaskInput {
  dataset: string;
  labelKind: LabelKind;
  /** Prompt class names, in logit column order. */
  classes: readonly string[];
  /** Class indices of each embedded image, row by row. */
  labels: readonly (readonly number[])[];
  /** [labels.length, embeddingSize], L2-normalised rows. */
  embeddings: Float32Array;
  /** The model's text side (tasks that need prompts use it). */
  encoder: Pick<ImageTextEncoder, 'encodeTexts' | 'manifest' | 'tokenize'>;
  templates: TemplateSet;
  /**
   * [classes, embeddingSize] class embeddings of `templates`, when the runner already
   * has them (its store caches them per text tower, template set and class names);
   * a task that needs them builds them otherwise.
   */
  classEmbeddings?: Float32Array;
}

export interface TaskOutput {
  /** Headline metrics, fractions in [0, 1] (null where undefined). */
  metrics: Record<string, number | null>;
  perClass: PerClass[];
  /** [rows, classes] scores behind the metrics, and the targets they were scored against. */
  logits: Float32Array;
  targets: Int32Array | Uint8Array;
}

export interface EvaluationTask extends Named {
  /** The record's `evaluation` value. */
  readonly name: string;
  readonly description: string;
  /** Whether records of this task depend on the template set (a zero-shot head does). */
  readonly usesTemplates: boolean;
  run(input: TaskInput): Promise<TaskOutput>;
}
