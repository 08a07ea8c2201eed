/**
 * Loads the models of a run: registry entry -> bundle (the shipped one for demo
 * models, exported on first use for the others) -> encoder, with the preprocessing
 * spec each will be fed (its manifest's, unless the caller passes another).
 */
import { loadEncoder, preprocessSpecOf } from '../adapters/clip.ts';
import { findModel } from '../adapters/registry.ts';
import type { Device } from '../adapters/types.ts';
import type { ImageTextEncoder } from '../adapters/types.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';

/** A loaded model of a run. */
export interface EvaluationModel {
  /** Registry name recorded in results. */
  name: string;
  encoder: ImageTextEncoder;
  /** What the data path prepares for this model (its manifest's, unless a run changes it). */
  spec: PreprocessSpec;
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

export async function disposeModels(models: readonly EvaluationModel[]): Promise<void> {
  await Promise.all(models.map(({ encoder }) => encoder.dispose()));
}
