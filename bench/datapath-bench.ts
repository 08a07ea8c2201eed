/**
 * Data-path benchmark (not a test): read, decode, select bands, resize to 224 and
 * normalise EuroSAT-sized tiles (64x64x13 int16, uncompressed) on one core, and
 * BigEarthNet patches for comparison. Prints the median wall time and the CPU time
 * per image, and images/s. Target: >= 250 EuroSAT tiles/s per core.
 *
 *   node --import tsx bench/datapath-bench.ts [tiles=300]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MS_CLIP_STD } from '../adapters/model-entry.ts';
import { MS_CLIP_MEAN } from '../adapters/model-entry.ts';
import { CLIP_STD } from '../adapters/model-entry.ts';
import { CLIP_MEAN } from '../adapters/model-entry.ts';
import { decodeGeoTiff } from '../datasets/tiff/geotiff.ts';
import { planPreprocessing, prepareImage, preprocessRaw } from '../preprocess/prepare.ts';
import { listDataset, resolveDataset } from '../datasets/registry.ts';
import { MSCLIP_BANDS, L2A_BANDS } from '../datasets/sentinel2.ts';
import { writeTiff } from '../datasets/tiff/writer.ts';
import type { DatasetItem } from '../datasets/types.ts';
import type { PreprocessSpec } from '../preprocess/spec.ts';
import { band } from '../scripts/golden/datasets-cases.ts';
import { generateTiles } from '../datasets/demo/tiles.ts';

const MS_SPEC: PreprocessSpec = {
  kind: 'multispectral',
  bands: [...MSCLIP_BANDS],
  size: 224,
  interpolation: 'bicubic',
  mean: MS_CLIP_MEAN,
  std: MS_CLIP_STD,
};
const RGB_SPEC: PreprocessSpec = {
  kind: 'rgb', bands: ['red', 'green', 'blue'], size: 224, interpolation: 'bicubic',
  mean: CLIP_MEAN, std: CLIP_STD,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/**
 * Times `run` per image: the wall-clock median, and the CPU time per image (user +
 * system, from process.cpuUsage), which is what "per core" means and which other
 * processes on a busy machine do not inflate the way they inflate wall time.
 */
async function time(label: string, items: DatasetItem[], run: (item: DatasetItem) => Promise<void> | void, rounds = 1): Promise<void> {
  for (const item of items.slice(0, 20)) await run(item); // warm up the JIT
  const times: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    for (const item of items) {
      const started = performance.now();
      await run(item);
      times.push(performance.now() - started);
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000 / times.length;
  const wallMs = median(times);
  console.log(
    `${label.padEnd(56)} wall median ${wallMs.toFixed(3).padStart(7)} ms (${(1000 / wallMs).toFixed(0).padStart(5)}/s)` +
    `   cpu ${cpuMs.toFixed(3).padStart(7)} ms (${(1000 / cpuMs).toFixed(0).padStart(5)}/s per core)`,
  );
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 300);
  const root = await mkdtemp(join(tmpdir(), 'datapath-bench-'));
  try {
    await generateTiles(root, count);
    const patches = Math.max(10, Math.floor(count / 10));
    const csv: string[] = [];
    for (let index = 0; index < patches; index++) {
      const patch = `S2A_MSIL2A_BENCH_${index}`;
      csv.push(patch);
      for (const name of L2A_BANDS) {
        const size = { B02: 120, B03: 120, B04: 120, B08: 120, B01: 20, B09: 20 }[name as 'B02'] ?? 60;
        await writeTiff(join(root, 'BigEarthNet/sentinel-2', patch, `${patch}_${name}.tif`), { width: size, height: size, data: [band(index + name.length, size, size, 0, 4000)] }, { sampleType: 'uint16' });
      }
      const labels = JSON.stringify({ labels: ['Pastures'] });
      await writeFile(join(root, 'BigEarthNet/sentinel-2', patch, `${patch}_labels_metadata.json`), labels);
    }
    await writeFile(join(root, 'BigEarthNet/bigearthnet-test.csv'), csv.join('\n'));

    const eurosat = await listDataset('EuroSAT_MS', root, { skipInvalid: false });
    const bigearthnet = await listDataset('BigEarthNet_MS', root, { skipInvalid: false });
    const out = new Float32Array(10 * 224 * 224);
    console.log(`node ${process.version}, one thread, load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}; ${eurosat.items.length} EuroSAT tiles (64x64x13 int16), ${bigearthnet.items.length} BigEarthNet patches`);

    const files = new Map<string, Uint8Array>();
    for (const item of eurosat.items) files.set(item.id, await readFile(item.files[0]));
    await time('EuroSAT decode only (bytes in memory)', eurosat.items, async (item) => {
      await decodeGeoTiff(files.get(item.id) as Uint8Array, item.id);
    });
    const module = resolveDataset('EuroSAT_MS').module;
    const plan = planPreprocessing(module, MS_SPEC);
    const decoded = new Map<string, Awaited<ReturnType<typeof module.read>>>();
    for (const item of eurosat.items) decoded.set(item.id, await module.read(item));
    await time('EuroSAT preprocess only (select, resize, normalise)', eurosat.items, (item) => {
      preprocessRaw(decoded.get(item.id) as Awaited<ReturnType<typeof module.read>>, plan, out, 0);
    });
    await time('EuroSAT MS full data path (read file .. normalise)', eurosat.items, (item) => prepareImage('EuroSAT_MS', item, MS_SPEC, out, 0), 2);
    await time('EuroSAT RGB view full data path', eurosat.items, (item) => prepareImage('EuroSAT_MS', item, RGB_SPEC, out, 0));
    await time('BigEarthNet MS full data path (12 files, GDAL bilinear)', bigearthnet.items, (item) => prepareImage('BigEarthNet_MS', item, MS_SPEC, out, 0), 3);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
