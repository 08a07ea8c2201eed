/**
 * What the registry knows of a model before it has a bundle: the entry type, and the
 * normalisation statistics and text settings the registered models share.
 *
 * Imports core/ and the adapters' own types.
 */
import type { BundleManifest, ImageSpec, TextSpec } from './types.ts';

/** Where an entry's weights come from when no --checkpoint is given. */
export type WeightsReference =
  /** A file in a Hugging Face model repo. */
  | { kind: 'huggingface'; repo: string; file: string }
  /** An open_clip pretrained tag; `repo` is the hub repo open_clip downloads it from. */
  | { kind: 'open_clip'; pretrained: string; repo: string }
  /** A zip published outside the hub; `member` is the checkpoint's path suffix inside it. */
  | { kind: 'url'; url: string; member: string }
  /** A file made inside this project (demo models); `path` is relative to the project root. */
  | { kind: 'local'; path: string; hint: string }
  /** Weights that are not public: the user must pass --checkpoint. */
  | { kind: 'unpublished'; hint: string };

export interface ModelEntry {
  /** Canonical name: bundle folder name and the name in result records. */
  name: string;
  aliases: readonly string[];
  /** Label in the paper's figure and the report. */
  label: string;
  family: BundleManifest['family'];
  /** open_clip architecture name (ViT-B-16), or the name of `modelConfig`. */
  architecture: string;
  /** A custom open_clip model config (JSON named `<architecture>.json`), relative to the project root. */
  modelConfig?: string;
  /**
   * Layout of the checkpoint file: 'msclip-training-module' = state_dict of Llama3-MS-CLIP's
   * training module (Llama3_MS_CLIP_weights.pt); 'open_clip' = an open_clip CLIP state_dict.
   */
  checkpointFormat: 'msclip-training-module' | 'open_clip';
  image: Omit<ImageSpec, 'file' | 'input' | 'output'>;
  text: Pick<TextSpec, 'contextLength' | 'padId' | 'startId' | 'endId'>;
  weights: WeightsReference;
}

/** The reference's `pretrained_data_stats['ms']` (msclip/inference/utils.py). */
export const MS_CLIP_MEAN = [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645];
export const MS_CLIP_STD = [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08];
/** open_clip's OPENAI_DATASET_MEAN/STD: its default for every model but ViT-L-14 laion2b. */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];
/** open_clip's INCEPTION_MEAN/STD, set by the laion2b_s32b_b82k ViT-L-14 pretrained config. */
export const INCEPTION_MEAN = [0.5, 0.5, 0.5];
export const INCEPTION_STD = [0.5, 0.5, 0.5];
/** The channel names of an RGB model's input (its manifest's `image.bands`). */
export const RGB_CHANNELS = ['red', 'green', 'blue'] as const;
/** OpenCLIP's SimpleTokenizer: context 77, <start_of_text> 49406, <end_of_text> 49407, padding 0. */
export const CLIP_TEXT = { contextLength: 77, padId: 0, startId: 49406, endId: 49407 } as const;

