/**
 * The evaluate flags of the few-shot task and of zero-shot's split: --shots, --labels,
 * --seeds, --probe, --probe-c, --split, parsed into the tasks' settings (defaults from
 * cli/defaults.ts).
 */
import { ErrorCode, UserError, unknownNameError } from '../core/errors.ts';
import { isProbeName, PROBES, type Budget, type FewShotSettings } from '../tasks/few-shot/types.ts';
import type { TaskOptions } from '../tasks/task.ts';
import { DEFAULTS } from './defaults.ts';
import { listFlag, positiveIntegerFlag, stringFlag } from './flags.ts';

export const FEW_SHOT_FLAGS = {
  shots: { type: 'string', multiple: true },
  labels: { type: 'string', multiple: true },
  seeds: { type: 'string' },
  probe: { type: 'string', multiple: true },
  'probe-c': { type: 'string' },
  split: { type: 'string' },
} as const;

/** "1,2,5,all" -> [1, 2, 5, 'all']; anything else is a one-line usage error. */
export function budgetList(value: unknown, flag: 'shots' | 'labels'): Budget[] | undefined {
  if (value === undefined) return undefined;
  const entries = listFlag(value, flag);
  const example = flag === 'shots' ? '1,2,5,all' : '10,100,1000';
  if (entries.length === 0) throw new UserError(ErrorCode.usage, `--${flag} names no budget; give a comma list such as ${example}`);
  return entries.map((entry) => {
    if (entry.toLowerCase() === 'all') return 'all';
    const number = Number(entry);
    if (!/^\d+$/.test(entry) || !Number.isSafeInteger(number) || number < 1) {
      throw new UserError(ErrorCode.usage, `--${flag}: "${entry}" is not a budget; give whole numbers >= 1 or "all" (e.g. --${flag} ${example})`);
    }
    return number;
  });
}

function probeC(value: unknown): number | 'auto' {
  const text = stringFlag(value);
  if (text === undefined) return DEFAULTS.probeC;
  if (text.toLowerCase() === 'auto') return 'auto';
  const number = Number(text);
  if (!/^[0-9.eE+-]+$/.test(text) || !Number.isFinite(number) || number <= 0) {
    throw new UserError(ErrorCode.usage, `--probe-c must be "auto" or a positive number (logistic regression's inverse penalty, e.g. 1 or 0.1), got "${text}"`);
  }
  return number;
}

function splitFlag(value: unknown): TaskOptions['split'] {
  const text = stringFlag(value) ?? DEFAULTS.split;
  if (text !== 'all' && text !== 'test') throw new UserError(ErrorCode.usage, `--split must be "test" (score the test split file's images) or "all" (every image, the default), got "${text}"`);
  return text;
}

export function taskOptionsFromFlags(values: Record<string, unknown>): TaskOptions {
  const shots = budgetList(values.shots, 'shots');
  const labels = budgetList(values.labels, 'labels');
  const probes = listFlag(values.probe, 'probe');
  for (const probe of probes) if (!isProbeName(probe)) throw unknownNameError('probe', probe, PROBES);
  const fewShot: FewShotSettings = {
    shots: shots ?? [...DEFAULTS.shots],
    labels: labels ?? [...DEFAULTS.labels],
    // --labels alone asks single-label datasets for total budgets too; --shots never applies to multi-label ones.
    singleLabelBudget: labels !== undefined && shots === undefined ? 'total' : 'per-class',
    seeds: positiveIntegerFlag(values.seeds, 'seeds', DEFAULTS.seeds),
    probes: probes.length > 0 ? probes.filter(isProbeName) : [...DEFAULTS.probes],
    C: probeC(values['probe-c']),
    valLimit: DEFAULTS.fewShotValLimit,
  };
  return { split: splitFlag(values.split), fewShot };
}
