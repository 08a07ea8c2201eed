#!/usr/bin/env node
// Creates the project's Python environment (.venv) for the export tool and the
// golden/parity scripts, from the pinned adapters/export/requirements.txt.
// Usage: node adapters/export/setup-python.mjs [--quiet]
import { ensurePythonEnvironment } from './python-env.mjs';

try {
  const python = ensurePythonEnvironment({ quiet: process.argv.includes('--quiet') });
  console.error(`Python environment ready: ${python}`);
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(1);
}
