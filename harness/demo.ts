/**
 * The built-in demo: synthetic Sentinel-2 benchmarks generated on first use into a
 * cache folder, and the two tiny demo bundles committed under models-demo/.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_BUNDLE_DIR, DEMO_MODEL_NAMES, registerDemoModels } from '../adapters/demo-models.ts';
import { ensureDemoSuite } from '../datasets/demo/generate.ts';
import { ErrorCode, UserError } from './messages.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

registerDemoModels();

export function isDemoModel(name: string): boolean {
  return DEMO_MODEL_NAMES.includes(name);
}

/** The committed bundle folder of a demo model. */
export function demoModelDirectory(name: string): string {
  const directory = join(projectRoot, DEMO_BUNDLE_DIR, name);
  if (!existsSync(join(directory, 'bundle.json'))) {
    throw new UserError(ErrorCode.bundleMissing, `${directory}/bundle.json is missing: the demo bundles ship with the repository; restore them with git checkout -- ${DEMO_BUNDLE_DIR} or rebuild them with npm run demo:train -- --install`, directory);
  }
  return directory;
}

/** [registry name, bundle folder] of each committed demo model. */
export function demoModelDirectories(): [string, string][] {
  return DEMO_MODEL_NAMES.map((name) => [name, demoModelDirectory(name)]);
}

export async function ensureDemoDatasets(log: (line: string) => void): Promise<string> {
  return ensureDemoSuite({ log });
}
