/**
 * The two built-in demo models, trained by `npm run demo:train` (scripts/demo/) on
 * the synthetic demo suite's training split and committed as bundles under
 * models-demo/. Same architecture family as the real models - an open_clip CLIP
 * with a ViT image tower and the real CLIP tokenizer - only tiny: 64 px inputs,
 * 8 px patches, a few narrow layers (scripts/demo/Demo-ViT-Tiny.json).
 *
 * `registerDemoModels()` adds them to the model registry (idempotent).
 */
import { CLIP_TEXT, MS_CLIP_BANDS, RGB_BANDS, lookupModel, registerModel, type ModelEntry } from './registry.ts';

export const DEMO_ARCHITECTURE = 'Demo-ViT-Tiny';
/** open_clip model config of the demo architecture, relative to the project root. */
export const DEMO_MODEL_CONFIG = 'scripts/demo/Demo-ViT-Tiny.json';
/** Where demo:train leaves the trained checkpoints (open_clip state_dicts), relative to the project root. */
export const DEMO_CHECKPOINT_DIR = '.cache/demo-train/checkpoints';
/** Where the committed bundles live, relative to the project root. */
export const DEMO_BUNDLE_DIR = 'models-demo';
export const DEMO_IMAGE_SIZE = 64;

/**
 * The MS model normalises with Llama3-MS-CLIP's statistics (the reference's
 * pretrained_data_stats['ms']): the demo scenes are calibrated to the same DN range.
 */
const MS_MEAN = [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645];
const MS_STD = [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08];
const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

function demoEntry(name: string, label: string, image: ModelEntry['image']): ModelEntry {
  return {
    name,
    aliases: [],
    label,
    family: 'demo',
    architecture: DEMO_ARCHITECTURE,
    modelConfig: DEMO_MODEL_CONFIG,
    checkpointFormat: 'open_clip',
    image,
    text: { ...CLIP_TEXT },
    weights: { kind: 'local', path: `${DEMO_CHECKPOINT_DIR}/${name}.pt`, hint: 'the demo bundles ship in models-demo/; retrain them with npm run demo:train' },
  };
}

export const DEMO_MODEL_ENTRIES: readonly ModelEntry[] = [
  demoEntry('Demo-MS-CLIP-Tiny', 'Demo MS-CLIP (tiny, 10 bands)', {
    kind: 'multispectral', bands: [...MS_CLIP_BANDS], size: DEMO_IMAGE_SIZE, interpolation: 'bicubic', mean: MS_MEAN, std: MS_STD,
  }),
  demoEntry('Demo-RGB-CLIP-Tiny', 'Demo RGB-CLIP (tiny)', {
    kind: 'rgb', bands: [...RGB_BANDS], size: DEMO_IMAGE_SIZE, interpolation: 'bicubic', mean: CLIP_MEAN, std: CLIP_STD,
  }),
];

export const DEMO_MODEL_NAMES = DEMO_MODEL_ENTRIES.map((entry) => entry.name);

/** Adds the demo models to the registry once; returns their entries. */
export function registerDemoModels(): readonly ModelEntry[] {
  return DEMO_MODEL_ENTRIES.map((entry) => lookupModel(entry.name) ?? registerModel(entry));
}
