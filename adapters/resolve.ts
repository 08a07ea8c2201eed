/**
 * A registry model's bundle folder: the one in --models-dir (checked to be that model:
 * its manifest's name and architecture must match the registry entry), the shipped one
 * for demo models, or a fresh export when it is missing (as the reference downloads its
 * weights), unless the caller forbids it. Nothing prompts.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode, UserError } from '../core/errors.ts';
import { projectRoot } from '../core/project.ts';
import { bundleDirectory, loadManifest, MANIFEST_FILE } from './bundle.ts';
import { demoModelDirectory, isDemoModel } from './demo-models.ts';
import { findModel, type ModelEntry } from './registry.ts';
import type { BundleManifest } from './types.ts';

/** A bundle in a model's folder must be that model: a renamed folder holding another model's bundle is refused. */
export function checkBundleIsModel(directory: string, manifest: BundleManifest, entry: ModelEntry): void {
  const file = join(directory, MANIFEST_FILE);
  if (manifest.name !== entry.name) {
    throw new UserError(ErrorCode.bundleInvalid, `${file} is a bundle of "${manifest.name}", not of "${entry.name}": move it to its own folder or re-export with npm run export -- --model ${entry.name}`, file);
  }
  if (manifest.architecture !== entry.architecture) {
    throw new UserError(ErrorCode.bundleInvalid, `${file} says architecture "${manifest.architecture}", but ${entry.name} is a ${entry.architecture}: re-export with npm run export -- --model ${entry.name}`, file);
  }
}

export interface ResolveBundleOptions {
  /** Registry name or alias. */
  name: string;
  modelsDir: string;
  /** Export a missing bundle (false under --no-export). */
  allowExport: boolean;
  /** Local checkpoint for that export. */
  checkpoint?: string;
  /** Export/download progress lines (default: stderr). */
  onProgress?: (line: string) => void;
}

/** The command that makes a bundle for `entry`, for messages. */
export function exportCommand(entry: ModelEntry, modelsDir?: string): string {
  const checkpoint = entry.weights.kind === 'unpublished' ? ' --checkpoint FILE' : '';
  const dir = modelsDir && resolve(modelsDir) !== resolve('models') ? ` --models-dir ${modelsDir}` : '';
  return `npm run export -- --model ${entry.name}${checkpoint}${dir}`;
}

/**
 * A model's bundle folder, validated: the existing one, or a fresh export when it is
 * missing and exporting is allowed. An existing bundle wins over --checkpoint (a note
 * says how to replace it).
 */
export async function resolveBundle(options: ResolveBundleOptions): Promise<string> {
  const entry = findModel(options.name);
  const directory = bundleDirectory(options.modelsDir, entry.name);
  const progress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (existsSync(join(directory, MANIFEST_FILE))) {
    const manifest = loadManifest(directory);
    checkBundleIsModel(directory, manifest, entry);
    // The exporter records checkpoints inside the project relative to its root.
    const recorded = manifest.source.checkpoint === undefined ? undefined : resolve(projectRoot(), manifest.source.checkpoint);
    if (options.checkpoint && recorded !== resolve(options.checkpoint)) {
      progress(`note: using the existing bundle ${directory}; to rebuild it from ${options.checkpoint} run: npm run export -- --model ${entry.name} --checkpoint ${options.checkpoint}`);
    }
    return directory;
  }
  if (isDemoModel(entry.name)) {
    // The demo bundles ship with the package; a --models-dir copy wins when there is one.
    const shipped = demoModelDirectory(entry.name);
    if (resolve(options.modelsDir) !== resolve('models')) progress(`note: no ${entry.name} bundle in ${directory}; using the one shipped in ${shipped}`);
    return shipped;
  }
  const unpublished = entry.weights.kind === 'unpublished' ? ` (its weights are not published: ${entry.weights.hint})` : '';
  if (!options.allowExport) {
    throw new UserError(ErrorCode.bundleMissing, `no bundle for ${entry.name} in ${directory} and --no-export is set: run ${exportCommand(entry, options.modelsDir)}${unpublished}`, directory);
  }
  if (unpublished && !options.checkpoint) {
    throw new UserError(ErrorCode.bundleMissing, `no bundle for ${entry.name} in ${directory}: run ${exportCommand(entry, options.modelsDir)}${unpublished}`, directory);
  }
  // Loaded lazily: the exporter pulls in the Python environment helpers.
  const { exportBundle } = await import('./export.ts');
  progress(`${entry.name}: no bundle in ${directory}; exporting it now (npm run export does the same)`);
  return exportBundle({ model: entry.name, checkpoint: options.checkpoint, modelsDir: options.modelsDir, onProgress: options.onProgress });
}
