/**
 * The contract of an evaluation task: image embeddings of one dataset and its class
 * names in, metrics out. A task never reads images, runs an image tower or writes
 * files; it may use the model's text tower (zero-shot heads are made of prompts).
 *
 * A task runs in two steps, so that only the images it needs are encoded:
 * 1. `plan(images, options)`: from what is known before anything is read (the pools of
 *    images: the listing and the split files, their sizes and labels where known), the
 *    task says which images it needs (`requests`: positions in pools);
 * 2. `plan.run(input)`, once per model: the embeddings of those images (in `rows`, per
 *    request) in, one result per record out (zero-shot: one; few-shot: one per probe).
 * The runner turns each result into a record.
 *
 * Imports adapters' types, datasets' types, templates, metrics and core.
 */
import type { ImageTextEncoder } from '../adapters/types.ts';
import type { SplitName } from '../datasets/splits.ts';
import type { Task as LabelKind } from '../datasets/types.ts';
import type { PerClass } from '../metrics/index.ts';
import type { TemplateSet } from '../templates/index.ts';
import type { Named } from '../core/registry.ts';
import type { FewShotSettings } from './few-shot/types.ts';

/** `listing`: the dataset as listed (what zero-shot scores by default); else a split file's images. */
export type PoolName = 'listing' | SplitName;

/** Images a task may ask for, addressed by position 0..size-1. */
export interface TaskPool {
  size: number;
  /**
   * Class indices of every image; absent when they are read only with the images
   * (BigEarthNet's train and val csvs, listed on demand).
   */
  labels?: readonly (readonly number[])[];
  /** Where the pool comes from (a split file), for records and messages. */
  source: string;
}

/** What a task knows of a dataset before anything is encoded. */
export interface TaskImages {
  dataset: string;
  labelKind: LabelKind;
  /** Prompt class names, in logit column order. */
  classes: readonly string[];
  /** The dataset folder (for messages). */
  root: string;
  listing: TaskPool;
  /** The split files present. */
  splits: Partial<Record<SplitName, TaskPool>>;
}

export interface ImageRequest {
  pool: PoolName;
  /** Positions in the pool. */
  positions: Int32Array;
}

/** The run's settings of every task (defaults: cli/defaults.ts). */
export interface TaskOptions {
  /** Zero-shot: score the listing (`all`) or the test split (`test`). */
  split: 'all' | 'test';
  fewShot: FewShotSettings;
}

export interface TaskInput {
  dataset: string;
  labelKind: LabelKind;
  /** Prompt class names, in logit column order. */
  classes: readonly string[];
  /** Class indices of each embedded image, row by row. */
  labels: readonly (readonly number[])[];
  /** [labels.length, embeddingSize], L2-normalised rows. */
  embeddings: Float32Array;
  /** Image id of each row (RECORDS.md: stable across machines). */
  ids: readonly string[];
  /**
   * Per request of the plan, in its order: the row of each requested position, -1 where
   * the image was skipped (--skip-invalid). A task with one request of every position
   * (zero-shot) gets its rows in request order, so `rows` can be ignored.
   */
  rows: readonly Int32Array[];
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
  /** Per class, in class order. */
  perClass: PerClass[];
  /**
   * [rows, classes] scores behind the metrics, and the targets they were scored
   * against: written beside the record and bootstrapped. Absent for results that are
   * not one set of scores (a few-shot curve).
   */
  logits?: Float32Array;
  targets?: Int32Array | Uint8Array;
  /** Ids of the scored images (the logits' rows; few-shot: the test images). */
  imageIds: readonly string[];
  /** Fields the task adds to its record (../RECORDS.md): few-shot's probe, curve, ... */
  fields?: Record<string, unknown>;
}

export interface TaskPlan {
  /** The images to encode. */
  requests: ImageRequest[];
  /** Runs the task for one model on the requested images' embeddings. */
  run(input: TaskInput): Promise<TaskOutput[]>;
}

export interface EvaluationTask extends Named {
  /** The record's `evaluation` value. */
  readonly name: string;
  readonly description: string;
  /** Whether records of this task depend on the template set (a zero-shot head does; else the record says "none"). */
  readonly usesTemplates: boolean;
  /** Whether the task reads the dataset's split files under these options (a bad split file then fails the dataset). */
  usesSplits(options: TaskOptions): boolean;
  /** Which images the task needs; throws a UserError when the dataset cannot serve it. */
  plan(images: TaskImages, options: TaskOptions): TaskPlan;
}
