/**
 * The model registry: every model the harness knows, its architecture, where its
 * public checkpoint lives and how its images are prepared. Everything here ends up in
 * the bundle's manifest at export time (the Python exporter receives the entry as
 * JSON and checks it against the loaded model); after that only the manifest counts.
 *
 * Canonical names are the reference CLI's (`Llama3-MS-CLIP-Base`, `ViT-B-16`, ...);
 * aliases cover the paper's labels. Lookup is case-insensitive; unknown names get a
 * "did you mean" error listing the registry. The demo models are entries like any
 * other (adapters/demo-models.ts); tests add their own with `registerModel`.
 */
import { Registry } from '../core/registry.ts';
import { MSCLIP_BANDS } from '../datasets/sentinel2.ts';
import { DEMO_MODEL_ENTRIES } from './demo-models.ts';
import { CLIP_MEAN, CLIP_STD, CLIP_TEXT, INCEPTION_MEAN, INCEPTION_STD, MS_CLIP_MEAN, MS_CLIP_STD, RGB_CHANNELS, type ModelEntry, type WeightsReference } from './model-entry.ts';

export type { ModelEntry, WeightsReference } from './model-entry.ts';

function rgbImage(mean: number[] = CLIP_MEAN, std: number[] = CLIP_STD): ModelEntry['image'] {
  return { kind: 'rgb', bands: [...RGB_CHANNELS], size: 224, interpolation: 'bicubic', mean, std };
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
    image: { kind: 'multispectral', bands: [...MSCLIP_BANDS], size: 224, interpolation: 'bicubic', mean: MS_CLIP_MEAN, std: MS_CLIP_STD },
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
  ...DEMO_MODEL_ENTRIES,
];

const registry = new Registry<ModelEntry>('model');

/** Adds a model (tests); names and aliases must be new, case-insensitively. */
export function registerModel(entry: ModelEntry): ModelEntry {
  const { image } = entry;
  if (image.bands.length === 0 || image.mean.length !== image.bands.length || image.std.length !== image.bands.length) {
    throw new Error(`model registry: ${entry.name} needs one mean and one std per band`);
  }
  return registry.add(Object.freeze({ ...entry, aliases: Object.freeze([...entry.aliases]) }));
}

for (const entry of BUILT_IN) registerModel(entry);

/** Every registered model, in registry order. */
export function listModels(): readonly ModelEntry[] {
  return registry.list();
}

export function modelNames(): string[] {
  return registry.names();
}

/** The entry for a canonical name or alias (case-insensitive), or undefined. */
export function lookupModel(name: string): ModelEntry | undefined {
  return registry.lookup(name);
}

/** Like lookupModel, but an unknown name is a UserError with a "did you mean". */
export function findModel(name: string): ModelEntry {
  return registry.find(name);
}
