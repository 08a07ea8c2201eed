/**
 * The model registry: every model the harness knows, its architecture, where its
 * public checkpoint lives and how its images are prepared. Everything here ends up in
 * the bundle's manifest at export time (the Python exporter receives the entry as
 * JSON and checks it against the loaded model); after that only the manifest counts.
 *
 * Canonical names are the reference CLI's (`Llama3-MS-CLIP-Base`, `ViT-B-16`, ...);
 * aliases cover the paper's labels. Lookup is case-insensitive; unknown names get a
 * "did you mean" error listing the registry. Demo and test models join through
 * `registerModel`.
 */
import { unknownNameError } from '../harness/messages.ts';
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

/** The 10 Sentinel-2 bands Llama3-MS-CLIP reads, in its input order. */
export const MS_CLIP_BANDS = ['B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12'] as const;
/** The reference's `pretrained_data_stats['ms']` (msclip/inference/utils.py). */
export const MS_CLIP_MEAN = [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645];
export const MS_CLIP_STD = [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08];
/** open_clip's OPENAI_DATASET_MEAN/STD: its default for every model but ViT-L-14 laion2b. */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];
/** open_clip's INCEPTION_MEAN/STD, set by the laion2b_s32b_b82k ViT-L-14 pretrained config. */
const INCEPTION_MEAN = [0.5, 0.5, 0.5];
const INCEPTION_STD = [0.5, 0.5, 0.5];
export const RGB_BANDS = ['red', 'green', 'blue'] as const;
/** OpenCLIP's SimpleTokenizer: context 77, <start_of_text> 49406, <end_of_text> 49407, padding 0. */
export const CLIP_TEXT = { contextLength: 77, padId: 0, startId: 49406, endId: 49407 } as const;

function rgbImage(mean: number[] = CLIP_MEAN, std: number[] = CLIP_STD): ModelEntry['image'] {
  return { kind: 'rgb', bands: [...RGB_BANDS], size: 224, interpolation: 'bicubic', mean, std };
}

function openClipBaseline(architecture: string, pretrained: string, repo: string, label: string, image = rgbImage()): ModelEntry {
  return {
    name: architecture,
    aliases: [`OpenCLIP-${architecture}`, architecture.replace(/-(\d+)$/, '/$1')],
    label,
    family: 'openclip',
    architecture,
    checkpointFormat: 'open_clip',
    image,
    text: { ...CLIP_TEXT },
    weights: { kind: 'open_clip', pretrained, repo },
  };
}

/** An RS fine-tune of open_clip ViT-B-32, loaded as the reference loads any RS checkpoint (below). */
function remoteSensingCheckpoint(name: string, aliases: string[], weights: WeightsReference): ModelEntry {
  return { name, aliases, label: name, family: 'openclip', architecture: 'ViT-B-32', checkpointFormat: 'open_clip', image: rgbImage(), text: { ...CLIP_TEXT }, weights };
}

/**
 * The models of the paper's figure and the reference CLI. RemoteCLIP, GeoRSCLIP and
 * SkyCLIP are loaded as the reference loads any RS checkpoint:
 * `open_clip.create_model('ViT-B-32', pretrained=FILE)` (standard GELU, CLIP mean/std).
 */
const BUILT_IN: ModelEntry[] = [
  {
    name: 'Llama3-MS-CLIP-Base',
    aliases: ['Llama3-MS-CLIP', 'MS-CLIP'],
    label: 'Llama3-MS-CLIP',
    family: 'msclip',
    architecture: 'ViT-B-16',
    checkpointFormat: 'msclip-training-module',
    image: { kind: 'multispectral', bands: [...MS_CLIP_BANDS], size: 224, interpolation: 'bicubic', mean: MS_CLIP_MEAN, std: MS_CLIP_STD },
    text: { ...CLIP_TEXT },
    weights: { kind: 'huggingface', repo: 'ibm-esa-geospatial/Llama3-MS-CLIP-base', file: 'Llama3_MS_CLIP_weights.pt' },
  },
  openClipBaseline('ViT-B-16', 'laion2b_s34b_b88k', 'laion/CLIP-ViT-B-16-laion2B-s34B-b88K', 'OpenCLIP ViT-B/16'),
  openClipBaseline('ViT-L-14', 'laion2b_s32b_b82k', 'laion/CLIP-ViT-L-14-laion2B-s32B-b82K', 'OpenCLIP ViT-L/14', rgbImage(INCEPTION_MEAN, INCEPTION_STD)),
  openClipBaseline('ViT-B-32', 'laion2b_s34b_b79k', 'laion/CLIP-ViT-B-32-laion2B-s34B-b79K', 'OpenCLIP ViT-B/32'),
  remoteSensingCheckpoint('RemoteCLIP', ['RemoteCLIP-ViT-B-32'], { kind: 'huggingface', repo: 'chendelong/RemoteCLIP', file: 'RemoteCLIP-ViT-B-32.pt' }),
  remoteSensingCheckpoint('GeoRSCLIP', ['GeoRSCLIP-ViT-B-32', 'RS5M-ViT-B-32'], { kind: 'huggingface', repo: 'Zilun/GeoRSCLIP', file: 'ckpt/RS5M_ViT-B-32.pt' }),
  // SkyScript publishes its checkpoints as zips on S3, not on the hub; the zip holds an
  // open_clip training checkpoint ({'state_dict': {'module.…'}}), which open_clip loads.
  remoteSensingCheckpoint('SkyCLIP', ['SkyCLIP-ViT-B-32', 'SkyCLIP50'], {
    kind: 'url',
    url: 'https://opendatasharing.s3.us-west-2.amazonaws.com/SkyScript/ckpt/SkyCLIP_ViT_B32_top50pct.zip',
    member: 'SkyCLIP_ViT_B32_top50pct/epoch_20.pt',
  }),
  {
    name: 'Llama3-RGB-CLIP-Base',
    aliases: ['Llama3-RGB-CLIP'],
    label: 'Llama3-RGB-CLIP',
    family: 'msclip',
    architecture: 'ViT-B-16',
    checkpointFormat: 'msclip-training-module',
    image: rgbImage(),
    text: { ...CLIP_TEXT },
    weights: {
      kind: 'unpublished',
      hint: 'pass --checkpoint FILE, the state_dict of its training module (as Llama3_MS_CLIP_weights.pt, with 3 bands)',
    },
  },
];

const registry: ModelEntry[] = [];

function keyOf(name: string): string {
  return name.toLowerCase();
}

/** Adds a model (demo and test models); names and aliases must be new, case-insensitively. */
export function registerModel(entry: ModelEntry): ModelEntry {
  const taken = new Set(registry.flatMap((known) => [known.name, ...known.aliases].map(keyOf)));
  for (const name of [entry.name, ...entry.aliases]) {
    if (taken.has(keyOf(name))) throw new Error(`model registry: "${name}" is already registered`);
  }
  const { image } = entry;
  if (image.bands.length === 0 || image.mean.length !== image.bands.length || image.std.length !== image.bands.length) {
    throw new Error(`model registry: ${entry.name} needs one mean and one std per band`);
  }
  const frozen = Object.freeze({ ...entry, aliases: Object.freeze([...entry.aliases]) });
  registry.push(frozen);
  return frozen;
}

for (const entry of BUILT_IN) registerModel(entry);

/** Every registered model, in registry order. */
export function listModels(): readonly ModelEntry[] {
  return registry;
}

export function modelNames(): string[] {
  return registry.map((entry) => entry.name);
}

/** The entry for a canonical name or alias (case-insensitive), or undefined. */
export function lookupModel(name: string): ModelEntry | undefined {
  const key = keyOf(name.trim());
  return registry.find((entry) => keyOf(entry.name) === key) ?? registry.find((entry) => entry.aliases.some((alias) => keyOf(alias) === key));
}

/** Like lookupModel, but an unknown name is a UserError with a "did you mean". */
export function findModel(name: string): ModelEntry {
  const entry = lookupModel(name);
  if (!entry) throw unknownNameError('model', name, modelNames());
  return entry;
}

