// Nothing reaches the network at evaluation time: ONNX Runtime's telemetry client must
// stay off. It keeps quiet on its own when it sees a CI environment, so the process
// checked here runs with CI (and its cousins) unset, a fresh HOME, and stays alive
// long enough (15 s) for the client's first upload attempt.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { projectRoot } from '../support/inference.ts';

const CI_VARIABLES = ['CI', 'GITHUB_ACTIONS', 'TF_BUILD', 'BUILD_BUILDID', 'JENKINS_URL', 'GITLAB_CI', 'TRAVIS', 'CIRCLECI', 'BUILDKITE', 'TEAMCITY_VERSION', 'CODEBUILD_BUILD_ID'];

// Load the demo model, encode one batch, then idle: what `evaluate` does, minus the data.
const SCRIPT = `
import { openBundle } from './adapters/clip.ts';
import { demoModelDirectory } from './adapters/demo-models.ts';
const encoder = await openBundle(demoModelDirectory('Demo-MS-CLIP-Tiny'), { device: 'cpu' });
await encoder.encodeImages(new Float32Array(10 * 64 * 64), 1);
await new Promise((resolve) => setTimeout(resolve, 15000));
await encoder.dispose();
`;

function environment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache') };
  for (const name of CI_VARIABLES) delete env[name];
  // The project's own caches stay where the tests keep them.
  env.MSCLIP_CACHE_DIR = join(projectRoot, '.cache');
  return env;
}

const strace = ['/usr/bin/strace', '/bin/strace'].find((path) => existsSync(path));

test('ONNX Runtime writes no telemetry state and opens no network socket', () => {
  const home = mkdtempSync(join(tmpdir(), 'telemetry-home-'));
  const trace = join(home, 'trace.txt');
  try {
    const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', SCRIPT];
    const command = strace ? [strace, '-f', '-qq', '-e', 'trace=connect,sendto,sendmsg', '-o', trace, ...node] : node;
    const run = spawnSync(command[0], command.slice(1), { cwd: projectRoot, env: environment(home), encoding: 'utf8', timeout: 120000 });
    assert.is(run.status, 0, run.stderr);
    assert.not.ok(existsSync(join(home, '.cache', 'Microsoft')), 'ONNX Runtime created ~/.cache/Microsoft (telemetry state)');
    if (!strace) {
      console.log('strace not installed: the socket half of this check was not made (apt-get install strace)');
      return;
    }
    const network = readFileSync(trace, 'utf8').split('\n').filter((line) => /AF_INET6?|sin6?_port/.test(line) && !/ENOENT/.test(line));
    assert.equal(network, [], `network syscalls:\n${network.join('\n')}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test.run();
