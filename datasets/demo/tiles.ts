/**
 * Generated benchmark data shared by `npm run bench` (cli/commands/bench.ts) and
 * bench/reference-vs-ours.ts: EuroSAT-sized tiles in the EuroSAT_MS ImageFolder layout.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '../../core/random.ts';
import { writeTiff } from '../tiff/writer.ts';

/**
 * `count` deterministic tiles under `<root>/EuroSAT_MS/Class<0..9>/`: 64x64, 13-band
 * int16 L1C, uncompressed, pixel-interleaved. A stamp file makes a second call with the
 * same count free; another count rewrites the folder.
 */
export async function generateTiles(root: string, count: number): Promise<void> {
  const stamp = join(root, `.complete-${count}`);
  if (existsSync(stamp)) return;
  rmSync(root, { recursive: true, force: true });
  const random = createRandom(12345);
  for (let index = 0; index < count; index++) {
    const folder = join(root, 'EuroSAT_MS', `Class${index % 10}`);
    mkdirSync(folder, { recursive: true });
    const data = Array.from({ length: 13 }, (_, band) => {
      const values = new Int16Array(64 * 64);
      for (let pixel = 0; pixel < values.length; pixel++) values[pixel] = 500 + band * 150 + random.integer(0, 2499);
      return values;
    });
    await writeTiff(join(folder, `tile_${String(index).padStart(6, '0')}.tif`), { width: 64, height: 64, data }, { sampleType: 'int16' });
  }
  mkdirSync(root, { recursive: true });
  writeFileSync(stamp, '');
}
