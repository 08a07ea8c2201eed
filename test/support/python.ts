// The project's Python with the modules a Parquet interop check needs (pandas,
// pyarrow), or why there is none - the check is then registered as skipped, with that
// reason printed, never passed.
import { spawnSync } from 'node:child_process';
import { test, type Test } from 'uvu';
import { ensurePythonEnvironment } from '../../adapters/export/python-env.mjs';

function pythonWith(modules: readonly string[]): { python: string } | { reason: string } {
  let python: string;
  try {
    python = ensurePythonEnvironment({ quiet: true });
  } catch (error) {
    return { reason: (error as Error).message };
  }
  const check = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  if (check.status !== 0) return { reason: `${python} cannot import ${modules.join(' and ')} (${check.stderr.trim().split('\n').pop()}); pip install ${modules.join(' ')}` };
  return { python };
}

/**
 * `test` when the project's Python imports `modules`, else `test.skip` (the reason
 * printed under `what`); `python` is the interpreter ('' when skipped).
 */
export function pythonTest(modules: readonly string[], what: string): { python: string; test: Test } {
  const found = pythonWith(modules);
  if ('python' in found) return { python: found.python, test };
  console.log(`  skipped: ${what} (${found.reason})`);
  return { python: '', test: test.skip as Test };
}
