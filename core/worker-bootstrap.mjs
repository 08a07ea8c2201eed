// Worker threads start as plain Node. A TypeScript worker module (running from the
// sources) needs tsx registered first; the build's JavaScript modules load as they are.
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
