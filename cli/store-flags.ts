/**
 * The embedding store's flags: --cache-dir, --no-cache and --cache-only for every
 * command that encodes images, and evaluate's --shard I/N | auto (--shard-count N).
 *
 * `--shard auto` takes its place from the scheduler: a Slurm job array's
 * SLURM_ARRAY_TASK_ID / _MIN / _STEP / _COUNT, or a Kubernetes Indexed Job's
 * JOB_COMPLETION_INDEX (0-based; Kubernetes does not tell a pod the completion count,
 * so --shard-count N says it).
 */
import type { Shard } from '../embeddings/cached-encode.ts';
import { ErrorCode, quoted, UserError } from '../core/errors.ts';
import { DEFAULTS } from './defaults.ts';
import { stringFlag, type FlagSpec } from './flags.ts';

export const storeFlags = {
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
  'cache-only': { type: 'boolean', default: false },
} as const satisfies FlagSpec;

export const shardFlags = {
  shard: { type: 'string' },
  'shard-count': { type: 'string' },
} as const satisfies FlagSpec;

type Values = Record<string, unknown>;

const usage = (message: string): UserError => new UserError(ErrorCode.usage, message);

/** The store settings of a command's flags, or undefined with --no-cache. */
export function storeOptions(values: Values): { dir: string; cacheOnly: boolean } | undefined {
  const dir = stringFlag(values['cache-dir']);
  if (values['no-cache']) {
    const clash = dir !== undefined ? '--cache-dir' : values['cache-only'] ? '--cache-only' : values.shard !== undefined ? '--shard' : undefined;
    if (clash) throw usage(`--no-cache and ${clash} contradict each other: keep one`);
    return undefined;
  }
  if (dir === '') throw usage('--cache-dir names no folder; give a folder, or leave the flag out for the default');
  return { dir: dir ?? DEFAULTS.cacheDir, cacheOnly: Boolean(values['cache-only']) };
}

/** A 1-based index and count in plain decimal, index at most count. */
function parseShard(text: string, flag: string): Shard {
  const match = /^([1-9][0-9]*)\/([1-9][0-9]*)$/.exec(text);
  const shard = match ? { index: Number(match[1]), count: Number(match[2]) } : undefined;
  if (!shard || shard.index > shard.count || !Number.isSafeInteger(shard.count)) {
    throw usage(`${flag} must be I/N with 1 <= I <= N (1-based: --shard 1/3, 2/3, 3/3) or auto, got ${quoted(text)}`);
  }
  return shard;
}

function environmentInteger(environment: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = environment[name];
  if (text === undefined || text === '') return undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(text)) throw usage(`--shard auto: ${name}=${quoted(text)} is not a whole number`);
  return Number(text);
}

/** --shard auto: the place of this task in a Slurm job array or a Kubernetes Indexed Job. */
function shardFromScheduler(environment: NodeJS.ProcessEnv, shardCount: number | undefined): Shard {
  const slurmId = environmentInteger(environment, 'SLURM_ARRAY_TASK_ID');
  if (slurmId !== undefined) {
    const minimum = environmentInteger(environment, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const step = environmentInteger(environment, 'SLURM_ARRAY_TASK_STEP') ?? 1;
    const count = environmentInteger(environment, 'SLURM_ARRAY_TASK_COUNT');
    if (count !== undefined && shardCount !== undefined && count !== shardCount) {
      throw usage(`--shard-count ${shardCount} disagrees with this Slurm array's ${count} tasks (SLURM_ARRAY_TASK_COUNT); leave --shard-count out`);
    }
    const total = shardCount ?? count;
    if (total === undefined) throw usage('--shard auto: SLURM_ARRAY_TASK_COUNT is not set; give --shard-count N (the number of array tasks)');
    return parseShard(`${(slurmId - minimum) / Math.max(1, step) + 1}/${total}`, `--shard auto (SLURM_ARRAY_TASK_ID=${slurmId}, SLURM_ARRAY_TASK_MIN=${minimum}, ${total} tasks)`);
  }
  const completionIndex = environmentInteger(environment, 'JOB_COMPLETION_INDEX');
  if (completionIndex !== undefined) {
    if (shardCount === undefined) throw usage('--shard auto in a Kubernetes Indexed Job needs --shard-count N (the Job\'s completions)');
    return parseShard(`${completionIndex + 1}/${shardCount}`, `--shard auto (JOB_COMPLETION_INDEX=${completionIndex}, --shard-count ${shardCount})`);
  }
  throw usage('--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard I/N instead');
}

/** evaluate's --shard: undefined without the flag. */
export function shardOption(values: Values, environment: NodeJS.ProcessEnv = process.env): Shard | undefined {
  const text = stringFlag(values.shard);
  const countText = stringFlag(values['shard-count']);
  let shardCount: number | undefined;
  if (countText !== undefined) {
    if (!/^[1-9][0-9]*$/.test(countText)) throw usage(`--shard-count must be a positive integer in plain decimal digits, got ${quoted(countText)}`);
    shardCount = Number(countText);
    if (text !== 'auto') throw usage('--shard-count goes with --shard auto (with --shard I/N the count is N)');
  }
  if (text === undefined) return undefined;
  if (values['cache-only']) throw usage('--shard and --cache-only contradict each other: a shard encodes its share into the store; --cache-only is for the scoring run after the shards');
  return text === 'auto' ? shardFromScheduler(environment, shardCount) : parseShard(text, '--shard');
}
