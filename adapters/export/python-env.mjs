// The project's own Python virtualenv: where it lives, how it is created, and the
// one local fix it needs. Plain JavaScript so that scripts can use it without tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the folder above this file whose package.json is ours (sources or dist/). */
function findProjectRoot() {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(folder, 'package.json')) && JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).name === 'msclip-bench')) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`cannot find the msclip-bench package.json above ${fileURLToPath(import.meta.url)}`);
    folder = parent;
  }
  return folder;
}

export const projectRoot = findProjectRoot();
export const requirementsFile = join(projectRoot, 'adapters', 'export', 'requirements.txt');

/**
 * The virtualenv folder: MSCLIP_VENV, else .venv in a checkout, else (installed under
 * node_modules) venv/ in the user's cache folder ($XDG_CACHE_HOME/msclip-bench).
 */
export function venvDirectory() {
  if (process.env.MSCLIP_VENV) return resolve(process.env.MSCLIP_VENV);
  if (!projectRoot.split(sep).includes('node_modules')) return join(projectRoot, '.venv');
  const cache = process.env.XDG_CACHE_HOME ? resolve(process.env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(cache, 'msclip-bench', 'venv');
}

export function venvPython() {
  return join(venvDirectory(), 'bin', 'python');
}

const stampName = '.msclip-requirements';

function run(command, args, quiet) {
  const result = spawnSync(command, args, {
    // pip's chatter goes to stderr: stdout belongs to the commands' --json output.
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 2, 2],
    env: { ...process.env, PIP_RETRIES: process.env.PIP_RETRIES ?? '0', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    encoding: 'utf8',
  });
  if (result.error) return { ok: false, output: String(result.error.message) };
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/**
 * torchvision wheels built against another torch fail at import while registering
 * fake kernels for `nms`/`qnms` (operators their C++ library failed to provide),
 * which also breaks `import open_clip`. Those two kernels are never used here, so
 * the registrations are guarded. Only the project's own virtualenv is touched.
 */
function guardTorchvisionFakeKernels(venv) {
  const libDir = join(venv, 'lib');
  if (!existsSync(libDir)) return;
  for (const pythonDir of readdirSync(libDir)) {
    const file = join(libDir, pythonDir, 'site-packages', 'torchvision', '_meta_registrations.py');
    if (!existsSync(file)) continue;
    const source = readFileSync(file, 'utf8');
    const marker = '# msclip-bench: guarded nms/qnms fake kernels';
    if (source.includes(marker)) continue;
    const guard = [
      marker,
      'def _msclip_register_fake_if_defined(name):',
      '    try:',
      '        torch._C._dispatch_find_schema_or_throw(name, "")',
      '    except RuntimeError:',
      '        return lambda function: function',
      '    return torch.library.register_fake(name)',
      '',
    ].join('\n');
    const replaced = source.replace(
      /@torch\.library\.register_fake\("torchvision::(q?nms)"\)/g,
      (_match, op) => `@_msclip_register_fake_if_defined("torchvision::${op}")`,
    );
    const firstDecorator = replaced.indexOf('@_msclip_register_fake_if_defined');
    const lineStart = replaced.lastIndexOf('\n', firstDecorator) + 1;
    const patched = firstDecorator < 0 ? source : `${replaced.slice(0, lineStart)}${guard}\n${replaced.slice(lineStart)}`;
    if (patched !== source) writeFileSync(file, patched);
  }
}

/**
 * Returns the path of the virtualenv's python, creating the environment first when it
 * is missing or its requirements changed. Throws an Error with a one-line message.
 */
export function ensurePythonEnvironment({ quiet = false } = {}) {
  const venv = venvDirectory();
  const python = venvPython();
  const requirements = readFileSync(requirementsFile, 'utf8');
  const stamp = join(venv, stampName);
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === requirements) return python;

  const systemPython = process.env.PYTHON ?? 'python3';
  const version = run(systemPython, ['--version'], true);
  if (!version.ok) {
    throw new Error(`Python 3 was not found (tried "${systemPython}"): install Python >= 3.10 or set PYTHON=/path/to/python3`);
  }
  if (!existsSync(python)) {
    if (!quiet) console.error(`Creating the Python environment in ${venv} ...`);
    const created = run(systemPython, ['-m', 'venv', venv], true);
    if (!created.ok) throw new Error(`could not create a virtualenv in ${venv} (${created.output.trim().split('\n').pop()}): install python3-venv`);
  }
  if (!quiet) console.error(`Installing ${requirementsFile} into ${venv} (torch, open_clip, onnx) ...`);
  const installed = run(python, ['-m', 'pip', 'install', '--retries', '0', '-r', requirementsFile], quiet);
  if (!installed.ok) {
    const last = installed.output.trim().split('\n').filter(Boolean).pop() ?? 'pip failed';
    throw new Error(`pip could not install ${requirementsFile} (${last}); check your network or package index, then run: npm run setup:python`);
  }
  guardTorchvisionFakeKernels(venv);
  const check = run(python, ['-c', 'import torch, open_clip, onnx, onnxruntime'], true);
  if (!check.ok) {
    const last = check.output.trim().split('\n').pop();
    throw new Error(`the Python environment in ${venv} cannot import torch/open_clip/onnx (${last}); delete ${venv} and run: npm run setup:python`);
  }
  writeFileSync(stamp, requirements);
  return python;
}
