/**
 * Loads the models of a run: registry entry -> bundle (the shipped one for demo
 * models, exported on first use for the others) -> encoder, with the preprocessing
 * spec each will be fed (its manifest's, unless the caller passes another).
 */
import { loadEncoder, preprocessSpecOf } from '../adapters/clip.ts';
import { findModel } from '../adapters/registry.ts';
import type { Device } from '../adapters/types.ts';
import type { ImageTextEncoder } from '../adapters/types.ts';
import { conditionsFor, type BandCondition, type ConditionRequest } from '../preprocess/conditions.ts';
import type { FillPolicy } from '../preprocess/bands.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';

/** A loaded model of a run. */
export interface EvaluationModel {
  /** Registry name recorded in results. */
  name: string;
  encoder: ImageTextEncoder;
  /** What the data path prepares for this model (its manifest's, unless a run changes it). */
  spec: PreprocessSpec;
  /** The band-robustness condition this entry runs under (absent: all bands). */
  condition?: BandCondition;
}

export interface LoadModelsOptions {
  names: readonly string[];
  modelsDir: string;
  device: Device;
  allowExport: boolean;
  checkpoint?: string;
  log: (line: string) => void;
}

/** Each distinct model once, in the order asked; disposes what it loaded when one fails. */
export async function loadModels(options: LoadModelsOptions): Promise<EvaluationModel[]> {
  const models: EvaluationModel[] = [];
  try {
    for (const name of options.names) {
      const entry = findModel(name);
      if (models.some((existing) => existing.name === entry.name)) continue;
      const encoder = await loadEncoder({ name: entry.name, modelsDir: options.modelsDir, device: options.device, allowExport: options.allowExport, checkpoint: options.checkpoint, onProgress: options.log });
      models.push({ name: entry.name, encoder, spec: preprocessSpecOf(encoder) });
    }
  } catch (error) {
    await disposeModels(models);
    throw error;
  }
  return models;
}

/**
 * The run's entries: every model with all its bands, then, for every multispectral
 * model, one entry per condition (its spec with the condition's bands missing). RGB
 * models have no multispectral bands to drop: they are listed in `notApplicable`.
 */
export function withConditions(models: readonly EvaluationModel[], requests: readonly ConditionRequest[], fill: FillPolicy): { entries: EvaluationModel[]; notApplicable: string[] } {
  const entries: EvaluationModel[] = [...models];
  const notApplicable: string[] = [];
  if (requests.length === 0) return { entries, notApplicable };
  for (const model of models) {
    if (model.spec.kind !== 'multispectral') {
      notApplicable.push(model.name);
      continue;
    }
    for (const condition of conditionsFor(requests, model.spec.bands, fill)) {
      entries.push({ ...model, condition, spec: { ...model.spec, missing: { bands: condition.dropped, fill: condition.fill } } });
    }
  }
  return { entries, notApplicable };
}

export async function disposeModels(models: readonly EvaluationModel[]): Promise<void> {
  await Promise.all([...new Set(models.map(({ encoder }) => encoder))].map((encoder) => encoder.dispose()));
}
