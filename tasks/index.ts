/**
 * The registry of evaluation tasks. A new evaluation is a module under tasks/ that
 * implements `EvaluationTask` (tasks/task.ts) and is listed here; the runner and the
 * CLI find it by name or alias.
 */
import { Registry } from '../core/registry.ts';
import type { EvaluationTask } from './task.ts';
import { fewShot } from './few-shot/task.ts';
import { zeroShot } from './zero-shot/index.ts';

export type { EvaluationTask, ImageRequest, TaskImages, TaskInput, TaskOptions, TaskOutput, TaskPlan, TaskPool } from './task.ts';

export const TASKS = new Registry<EvaluationTask>('evaluation task', [zeroShot, fewShot]);
