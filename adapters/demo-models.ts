/**
 * The two built-in demo models, trained by `npm run demo:train` (scripts/demo/) on
 * the synthetic demo suite's training split and committed as bundles under
 * models-demo/. Same architecture family as the real models - an open_clip CLIP
 * with a ViT image tower and the real CLIP tokenizer - only tiny: 64 px inputs,
 * 8 px patches, a few narrow layers (scripts/demo/Demo-ViT-Tiny.json).
 *
 * They are ordinary registry entries (adapters/registry.ts lists them), so every
 * command knows them; their bundles ship with the package.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, UserError } from '../core/errors.ts';
import { projectPath } from '../core/project.ts';
import { MSCLIP_BANDS } from '../datasets/sentinel2.ts';
import { CLIP_MEAN, CLIP_STD, CLIP_TEXT, MS_CLIP_MEAN, MS_CLIP_STD, RGB_CHANNELS, type ModelEntry } from './model-entry.ts';

export const DEMO_ARCHITECTURE = 'Demo-ViT-Tiny';
/** open_clip model config of the demo architecture, relative to the project root. */
export const DEMO_MODEL_CONFIG = 'scripts/demo/Demo-ViT-Tiny.json';
/** Where demo:train leaves the trained checkpoints (open_clip state_dicts), relative to the project root. */
export const DEMO_CHECKPOINT_DIR = '.cache/demo-train/checkpoints';
/** Where the committed bundles live, relative to the project root. */
export const DEMO_BUNDLE_DIR = 'models-demo';
export const DEMO_IMAGE_SIZE = 64;

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
  // The MS model normalises with Llama3-MS-CLIP's statistics (the reference's
  // pretrained_data_stats['ms']): the demo scenes are calibrated to the same DN range.
  demoEntry('Demo-MS-CLIP-Tiny', 'Demo MS-CLIP (tiny, 10 bands)', {
    kind: 'multispectral', bands: [...MSCLIP_BANDS], size: DEMO_IMAGE_SIZE, interpolation: 'bicubic', mean: [...MS_CLIP_MEAN], std: [...MS_CLIP_STD],
  }),
  demoEntry('Demo-RGB-CLIP-Tiny', 'Demo RGB-CLIP (tiny)', {
    kind: 'rgb', bands: [...RGB_CHANNELS], size: DEMO_IMAGE_SIZE, interpolation: 'bicubic', mean: [...CLIP_MEAN], std: [...CLIP_STD],
  }),
];

export const DEMO_MODEL_NAMES = DEMO_MODEL_ENTRIES.map((entry) => entry.name);

export function isDemoModel(name: string): boolean {
  return DEMO_MODEL_NAMES.includes(name);
}

/** The committed bundle folder of a demo model. */
export function demoModelDirectory(name: string): string {
  const directory = projectPath(DEMO_BUNDLE_DIR, name);
  if (!existsSync(join(directory, 'bundle.json'))) {
    throw new UserError(ErrorCode.bundleMissing, `${directory}/bundle.json is missing: the demo bundles ship with the package; restore them with git checkout -- ${DEMO_BUNDLE_DIR} or rebuild them with npm run demo:train -- --install`, directory);
  }
  return directory;
}
