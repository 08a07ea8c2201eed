// A child process for the interrupt test of test/embeddings/cached-encode.test.ts: installs
// the command line's interrupt handlers (core/interrupt.ts, as cli/main.ts does), then
// encodes the tiles of argv[2] (a folder of makeItems tiles) into the store argv[3] with
// a slow stand-in tower and chunks bigger than the run, and sends itself SIGTERM once
// argv[4] batches are done. Ends by SIGTERM if the handlers work; exit 0 would mean it ran to the end.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { installInterruptHandlers } from '../../core/interrupt.ts';
import { encodeWithStore } from '../../embeddings/cached-encode.ts';
import { WorkerPool } from '../../preprocess/stream.ts';
import { encoder, SPEC } from './stand-in-encoder.ts';

installInterruptHandlers();
const [folder, dir, after] = process.argv.slice(2);
const items = readdirSync(folder).sort().map((name, index) => ({ id: `tile_${index}`, files: [join(folder, name)], labels: [] }));
const tower = encoder('A');
tower.delayMs = 20;
const batchSize = 4;
let signalled = false;
await encodeWithStore({
  pool: new WorkerPool(0), spec: SPEC, items, batchSize, encoders: [tower], skipInvalid: false,
  store: { dir, dataset: 'test-set', chunkRows: 1000 },
  onProgress: (done) => {
    if (!signalled && done >= Number(after) * batchSize) {
      signalled = true;
      process.kill(process.pid, 'SIGTERM');
    }
  },
});
process.stdout.write('finished without being interrupted\n');
