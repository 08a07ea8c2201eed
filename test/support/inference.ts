// Shared by the inference tests: a models folder holding the tiny ONNX towers of
// test/fixtures/inference/tiny-bundle/ as real bundles (bundle.json written here, the
// vocabulary copied from adapters/vocab), under registry names so the commands find
// them: "Llama3-MS-CLIP-Base" (10 bands) and "ViT-B-16" (RGB).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const projectRoot = new URL('../../', import.meta.url).pathname;
export const fixtures = join(projectRoot, 'test/fixtures/inference');
const tiny = join(fixtures, 'tiny-bundle');
const vocabulary = join(projectRoot, 'adapters/vocab/bpe_simple_vocab_16e6.txt.gz');

export const MS_MEAN = [925.161, 1183.128, 1338.041, 1667.254, 2233.633, 2460.96, 2555.569, 2619.542, 2406.497, 1841.645];
export const MS_STD = [1205.586, 1223.713, 1399.638, 1403.298, 1378.513, 1434.924, 1491.141, 1454.089, 1473.248, 1365.08];
export const MS_BANDS = ['B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B11', 'B12'];
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function writeBundle(directory: string, name: string, imageFile: string, image: { kind: 'multispectral' | 'rgb'; bands: string[]; mean: number[]; std: number[] }): void {
  mkdirSync(directory, { recursive: true });
  copyFileSync(join(tiny, imageFile), join(directory, 'image.onnx'));
  copyFileSync(join(tiny, 'text.onnx'), join(directory, 'text.onnx'));
  copyFileSync(vocabulary, join(directory, 'bpe_simple_vocab_16e6.txt.gz'));
  const files = Object.fromEntries(['image.onnx', 'text.onnx', 'bpe_simple_vocab_16e6.txt.gz'].map((file) => [file, sha256(join(directory, file))]));
  const manifest = {
    schema: 1,
    name,
    family: image.kind === 'rgb' ? 'openclip' : 'msclip',
    // The registry's architecture of the name the tiny towers stand in for (bundles in a
    // model's folder must agree with its registry entry).
    architecture: 'ViT-B-16',
    demo: false,
    embeddingSize: 16,
    opset: 17,
    image: { file: 'image.onnx', input: 'image', output: 'image_features', kind: image.kind, bands: image.bands, size: 224, interpolation: 'bicubic', mean: image.mean, std: image.std },
    text: { file: 'text.onnx', input: 'input_ids', output: 'text_features', vocabulary: 'bpe_simple_vocab_16e6.txt.gz', contextLength: 77, padId: 0, startId: 49406, endId: 49407 },
    files,
    source: { kind: 'random', seed: 7 },
    export: { date: '2025-01-01T00:00:00Z', tool: 'scripts/golden/inference.py (tiny test towers)', torch: 'none', openClip: 'none', maxAbsDiff: { image: 0, text: 0 } },
  };
  writeFileSync(join(directory, 'bundle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** A fresh temporary folder with `models/` holding both tiny bundles; returns the folder. */
export function makeTinyModels(): { root: string; modelsDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'msclip-inference-'));
  const modelsDir = join(root, 'models');
  writeBundle(join(modelsDir, 'Llama3-MS-CLIP-Base'), 'Llama3-MS-CLIP-Base', 'image-ms.onnx', { kind: 'multispectral', bands: MS_BANDS, mean: MS_MEAN, std: MS_STD });
  writeBundle(join(modelsDir, 'ViT-B-16'), 'ViT-B-16', 'image-rgb.onnx', { kind: 'rgb', bands: ['red', 'green', 'blue'], mean: CLIP_MEAN, std: CLIP_STD });
  return { root, modelsDir };
}

export interface Golden {
  images: string[];
  classes: string[];
  templates: string;
  probabilities: number[][];
  predicted: string[];
  top_k: number;
  retrieval: { query: string; indices: number[]; names: string[]; similarities: number[] }[];
}

export function readGolden(name: 'ms' | 'rgb'): Golden {
  return JSON.parse(readFileSync(join(fixtures, `golden-${name}.json`), 'utf8')) as Golden;
}

export const GOLDEN_CLASSES = ['annual crop', 'forest', 'river', 'sea lake', 'residential buildings'];
export const GOLDEN_QUERIES = ['a river', 'dense forest, with clouds', 'snow-covered mountains'];
