// Worker threads start as plain Node; register tsx so the TypeScript worker module
// (passed in workerData.module) can be imported. Harmless when tsx is already active.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
