// The project's Python with pandas and pyarrow (the Parquet interop checks), or why
// there is none - such a test is then skipped with that reason, never passed.
import { spawnSync } from 'node:child_process';
import { ensurePythonEnvironment } from '../../adapters/export/python-env.mjs';

export function pandasPython(): { python: string } | { reason: string } {
  let python: string;
  try {
    python = ensurePythonEnvironment({ quiet: true });
  } catch (error) {
    return { reason: (error as Error).message };
  }
  const check = spawnSync(python, ['-c', 'import pandas, pyarrow'], { encoding: 'utf8' });
  if (check.status !== 0) return { reason: `${python} cannot import pandas and pyarrow (${check.stderr.trim().split('\n').pop()}); pip install pandas pyarrow` };
  return { python };
}
