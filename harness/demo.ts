/**
 * The built-in demo: synthetic Sentinel-2 benchmarks generated on first use into a
 * cache folder, and the two tiny demo bundles committed under models-demo/.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDemoSuite } from '../datasets/demo/generate.ts';
import { ErrorCode, UserError } from './messages.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const DEMO_MODELS = ['Demo-MS-CLIP-Tiny', 'Demo-RGB-CLIP-Tiny'] as const;

/** [registry name, bundle folder] of each committed demo model. */
export function demoModelDirectories(): [string, string][] {
  return DEMO_MODELS.map((name) => {
    const directory = join(projectRoot, 'models-demo', name);
    if (!existsSync(join(directory, 'bundle.json'))) {
      throw new UserError(ErrorCode.bundleMissing, `${directory}/bundle.json is missing: the demo bundles ship with the repository; restore them with git checkout -- models-demo or rebuild them with npm run demo:train`, directory);
    }
    return [name, directory];
  });
}

export async function ensureDemoDatasets(log: (line: string) => void): Promise<string> {
  return ensureDemoSuite({ log });
}
