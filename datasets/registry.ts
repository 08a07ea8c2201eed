/**
 * The benchmark registry: one module per dataset, looked up by name or alias
 * (case-insensitive), with "did you mean" for anything else. The reference's RGB
 * dataset names (METERML_RGB, BigEarthNet_RGB) resolve to the multispectral module
 * with `rgbAlias: true`: an RGB model reads B04 B03 B02 of the very same files.
 */
import { join } from 'node:path';
import { unknownNameError } from '../core/errors.ts';
import { bigearthnet } from './bigearthnet.ts';
import { eurosat } from './eurosat.ts';
import { meterml } from './meterml.ts';
import type { DatasetModule } from './module.ts';
import type { DatasetListing, ListOptions } from './types.ts';

export type { DatasetModule } from './module.ts';

export const DATASETS: readonly DatasetModule[] = [eurosat, meterml, bigearthnet];

/** The default --datasets list (the reference evaluates METERML_MS, EuroSAT_MS, BigEarthNet_MS; results do not depend on the order). */
export const DEFAULT_DATASETS: readonly string[] = DATASETS.map((module) => module.name);

interface Entry {
  module: DatasetModule;
  rgbAlias: boolean;
}

const BY_NAME = new Map<string, Entry>();
for (const module of DATASETS) {
  for (const name of [module.name, ...module.aliases]) BY_NAME.set(name.toLowerCase(), { module, rgbAlias: false });
  for (const name of module.rgbAliases) BY_NAME.set(name.toLowerCase(), { module, rgbAlias: true });
}

/** Every accepted name, for help texts. */
export function datasetNames(): string[] {
  return DATASETS.flatMap((module) => [module.name, ...module.rgbAliases]);
}

export function resolveDataset(name: string): { module: DatasetModule; rgbAlias: boolean } {
  const entry = BY_NAME.get(name.trim().toLowerCase());
  if (entry === undefined) throw unknownNameError('dataset', name, datasetNames());
  return entry;
}

/** The dataset's folder under --dataset-dir. */
export function datasetRoot(module: DatasetModule, datasetDir: string): string {
  return join(datasetDir, module.folder);
}

/** Resolves a name and lists the dataset under --dataset-dir. */
export async function listDataset(name: string, datasetDir: string, options: ListOptions): Promise<DatasetListing> {
  const { module } = resolveDataset(name);
  return module.list(datasetRoot(module, datasetDir), options);
}
