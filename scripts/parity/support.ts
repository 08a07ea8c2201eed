/**
 * Shared by the parity tests: seeded inputs, the torch reference made by the project's
 * exporter (adapters/export/export.py), and a cache of exported bundles under
 * .cache/test-bundles keyed by model entry, seed and the exporter's code, so reruns
 * skip the minute-long exports.
 *
 * prepareParityCase(model, seed):
 *   1. write a seeded random checkpoint in the model's official format (Python);
 *   2. export it with --checkpoint, like a user's file (exportBundle);
 *   3. write the inputs (images from a seed, real prompts) and torch's embeddings of
 *      them from the same checkpoint file (Python, open_clip's tokenizer);
 *   4. delete the checkpoint (hundreds of MB), keep bundle + reference.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256File } from '../../adapters/bundle.ts';
import { exportBundle, writeRandomCheckpoint, writeReferenceEmbeddings } from '../../adapters/export.ts';
import { findModel, type ModelEntry } from '../../adapters/registry.ts';

const PROJECT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CACHE_ROOT = join(PROJECT, '.cache', 'test-bundles');

/** mulberry32: a small seeded generator, identical on every platform. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` images as the model sees them after preprocessing: per band a level and a
 * smooth pattern in the band's raw units (reflectance DN for multispectral, 0..1 for
 * RGB), plus noise, normalised with the entry's mean/std.
 */
export function seededImages(entry: ModelEntry, count: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const { bands, size, mean, std } = entry.image;
  const scale = entry.image.kind === 'rgb' ? 1 : 4000;
  const out = new Float32Array(count * bands.length * size * size);
  let offset = 0;
  for (let image = 0; image < count; image++) {
    for (let band = 0; band < bands.length; band++) {
      const level = (0.1 + 0.6 * random()) * scale;
      const amplitude = 0.2 * random() * scale;
      const fx = 1 + 6 * random();
      const fy = 1 + 6 * random();
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const pattern = Math.sin((fx * x) / size * Math.PI + fy * 0.3) * Math.cos((fy * y) / size * Math.PI);
          const raw = level + amplitude * pattern + 0.03 * scale * (random() - 0.5);
          out[offset++] = (raw - mean[band]) / std[band];
        }
      }
    }
  }
  return out;
}

/** Real prompts: reference templates x benchmark class names, plus strings that stress the tokenizer. */
export function parityPrompts(): string[] {
  const templates = (JSON.parse(readFileSync(join(PROJECT, 'templates', 'msclip.json'), 'utf8')) as { templates: string[] }).templates.filter((template) => !template.includes('{{'));
  const classes = ['annual crop', 'forest', 'herbaceous vegetation', 'highway', 'sea lake', 'Coniferous forest', 'Urban fabric', 'Beaches, dunes, sands'];
  const prompts = classes.map((name, index) => templates[(index * 7) % templates.length].replaceAll('{c}', name));
  return [
    ...prompts,
    'The café’s “terrace” — ﬁne &amp; dandy',
    'ＦＵＬＬ－ＷＩＤＴＨ satellite image of a river delta',
    Array.from({ length: 40 }, (_, index) => `field${index}`).join(' '),
  ];
}

function exporterCodeHash(): string {
  const hash = createHash('sha256');
  const folder = join(PROJECT, 'adapters', 'export');
  for (const name of readdirSync(folder).filter((file) => file.endsWith('.py') || file === 'requirements.txt').sort()) {
    hash.update(name).update(readFileSync(join(folder, name)));
  }
  return hash.digest('hex');
}

export interface ParityCase {
  bundle: string;
  images: Float32Array;
  imageCount: number;
  prompts: string[];
  referenceImages: Float32Array;
  referenceTexts: Float32Array;
  referenceTokenIds: BigInt64Array;
  checkpointSha256: string;
}

function readFloats(file: string): Float32Array {
  const bytes = readFileSync(file);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function readInt64(file: string): BigInt64Array {
  const bytes = readFileSync(file);
  return new BigInt64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Steps 1-4 above, or the cached result; `log` reports what runs. */
export async function prepareParityCase(model: string, seed: number, options: { imageCount: number; log: (line: string) => void }): Promise<ParityCase> {
  const entry = findModel(model);
  const images = seededImages(entry, options.imageCount, seed + 1);
  const prompts = parityPrompts();
  const key = createHash('sha256')
    .update(JSON.stringify(entry))
    .update(String(seed))
    .update(exporterCodeHash())
    .update(createHash('sha256').update(images).digest('hex'))
    .update(JSON.stringify(prompts))
    .digest('hex')
    .slice(0, 16);
  const prefix = `${entry.name}-seed${seed}-`;
  const folder = join(CACHE_ROOT, `${prefix}${key}`);
  const done = join(folder, 'complete.json');
  if (!existsSync(done)) {
    // Older caches of the same case are stale: drop them (they are large).
    if (existsSync(CACHE_ROOT)) for (const name of readdirSync(CACHE_ROOT)) if (name.startsWith(prefix)) rmSync(join(CACHE_ROOT, name), { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const checkpoint = join(folder, 'checkpoint.pt');
    options.log(`${entry.name}: writing a seeded random checkpoint (official format), seed ${seed}`);
    await writeRandomCheckpoint({ model: entry.name, seed, file: checkpoint, onProgress: () => {} });
    options.log(`${entry.name}: exporting it with --checkpoint`);
    await exportBundle({ model: entry.name, checkpoint, modelsDir: folder, out: join(folder, 'bundle'), onProgress: () => {} });
    writeFileSync(join(folder, 'images.f32'), images);
    writeFileSync(join(folder, 'prompts.json'), JSON.stringify(prompts));
    options.log(`${entry.name}: torch reference embeddings`);
    await writeReferenceEmbeddings({ model: entry.name, checkpoint, imagesFile: join(folder, 'images.f32'), textsFile: join(folder, 'prompts.json'), outDir: join(folder, 'reference'), onProgress: () => {} });
    const checkpointSha256 = await sha256File(checkpoint);
    rmSync(checkpoint);
    rmSync(join(folder, 'images.f32'));
    writeFileSync(done, JSON.stringify({ model: entry.name, seed, checkpointSha256 }));
  }
  const { checkpointSha256 } = JSON.parse(readFileSync(done, 'utf8')) as { checkpointSha256: string };
  return {
    bundle: join(folder, 'bundle'),
    images,
    imageCount: options.imageCount,
    prompts,
    referenceImages: readFloats(join(folder, 'reference', 'image-embeddings.f32')),
    referenceTexts: readFloats(join(folder, 'reference', 'text-embeddings.f32')),
    referenceTokenIds: readInt64(join(folder, 'reference', 'token-ids.i64')),
    checkpointSha256,
  };
}

export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let index = 0; index < a.length; index++) worst = Math.max(worst, Math.abs(a[index] - b[index]));
  return worst;
}
