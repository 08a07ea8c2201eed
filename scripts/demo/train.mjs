#!/usr/bin/env node
// `npm run demo:train`: retrains the two demo models and checks them against the
// committed metrics. The pipeline is TypeScript (scripts/demo/train-pipeline.ts);
// this launcher loads it through tsx so the command needs no build step.
import { tsImport } from 'tsx/esm/api';

await tsImport('./train-pipeline.ts', import.meta.url);
