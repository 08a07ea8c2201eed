// A private one-node Slurm on localhost for tests: its own munge key, socket and
// munged (as user munge), its own slurm.conf (SLURM_CONF) with free ports, state and
// logs, all under a temporary folder; slurmctld and slurmd in the foreground, so their
// process ids are ours to stop. `startCluster` resolves with the cluster or with the
// reason it cannot run here (no Slurm or munge, not root, a daemon that does not come
// up) - a reason to skip, never to pass.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SlurmCluster {
  folder: string;
  /** The environment a client needs (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  /** Last lines of every daemon's log, for a failure message. */
  logs(): string;
  stop(): Promise<void>;
}

const COMMANDS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scontrol', 'scancel', 'squeue', 'sinfo'];

function which(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(check: () => boolean, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return check();
}

const tail = (file: string, lines = 15): string => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)');

export async function startCluster(): Promise<SlurmCluster | { reason: string }> {
  const missing = COMMANDS.filter((command) => !which(command));
  if (missing.length > 0) return { reason: `${missing.join(', ')} not installed (Debian: apt-get install slurm-wlm munge)` };
  if (process.getuid?.() !== 0) return { reason: 'the private Slurm needs root (slurmd starts jobs as their user; munged runs as user munge)' };
  const mungeUser = spawnSync('id', ['-u', 'munge'], { encoding: 'utf8' });
  const mungeGroup = spawnSync('id', ['-g', 'munge'], { encoding: 'utf8' });
  if (mungeUser.status !== 0 || mungeGroup.status !== 0) return { reason: 'no user munge (the munge package creates it)' };
  const uid = Number(mungeUser.stdout.trim());
  const gid = Number(mungeGroup.stdout.trim());

  const folder = mkdtempSync(join(tmpdir(), 'msclip-slurm-'));
  chmodSync(folder, 0o755);
  const children: ChildProcess[] = [];
  // Synchronous, for process exit: a daemon must not outlive the test however it ends.
  const killAll = (signal: NodeJS.Signals): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const onExit = (): void => killAll('SIGKILL');
  const onSignal = (): void => {
    killAll('SIGKILL');
    process.exit(1);
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const daemonLogs: string[] = [];
  const start = (name: string, command: string, args: string[], options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): ChildProcess => {
    const log = join(folder, 'log', `${name}.out`);
    daemonLogs.push(log);
    const out = openSync(log, 'a');
    const child = spawn(command, args, { stdio: ['ignore', out, out], uid: options.uid, gid: options.gid, env: options.env ?? process.env });
    child.on('error', () => undefined);
    children.push(child);
    return child;
  };
  const cluster: SlurmCluster = {
    folder,
    env: {},
    logs: () => daemonLogs.map((log) => `--- ${log}\n${tail(log)}`).join('\n'),
    async stop() {
      const jobs = spawnSync('squeue', ['-h', '-o', '%A'], { env: { ...process.env, ...cluster.env }, encoding: 'utf8', timeout: 10_000 });
      const ids = jobs.stdout?.split('\n').map((line) => line.trim()).filter(Boolean) ?? [];
      if (ids.length > 0) spawnSync('scancel', ids, { env: { ...process.env, ...cluster.env }, timeout: 10_000 });
      // slurmd first (it would report to a stopped controller), munged last (both use it).
      for (const child of [...children].reverse()) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        child.kill('SIGTERM');
        const stopped = await waitFor(() => child.exitCode !== null || child.signalCode !== null, 10);
        if (!stopped) child.kill('SIGKILL');
      }
      process.off('exit', onExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      rmSync(folder, { recursive: true, force: true });
    },
  };
  const fail = async (reason: string): Promise<{ reason: string }> => {
    const logs = cluster.logs();
    await cluster.stop();
    return { reason: `${reason}\n${logs}` };
  };

  // munge: key, socket and daemon of our own. The socket's folder must be searchable by
  // everyone; the key readable by munge only.
  const mungeDir = join(folder, 'munge');
  for (const sub of ['log', 'state', 'spool']) mkdirSync(join(folder, sub));
  mkdirSync(mungeDir, { mode: 0o755 });
  const key = join(mungeDir, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  chownSync(mungeDir, uid, gid);
  chownSync(key, uid, gid);
  const socket = join(mungeDir, 'munge.socket.2');
  start('munged', 'munged', ['-F', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${join(mungeDir, 'munged.pid')}`, `--log-file=${join(mungeDir, 'munged.log')}`, `--seed-file=${join(mungeDir, 'munged.seed')}`], { uid, gid });
  if (!await waitFor(() => existsSync(socket), 10)) return fail('munged did not create its socket');

  const [controllerPort, nodePort] = [await freePort(), await freePort()];
  const conf = join(folder, 'slurm.conf');
  writeFileSync(conf, [
    'ClusterName=msclip-test',
    `SlurmctldHost=${hostname()}(127.0.0.1)`,
    `SlurmctldPort=${controllerPort}`,
    `SlurmdPort=${nodePort}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${socket}`,
    `StateSaveLocation=${join(folder, 'state')}`,
    `SlurmdSpoolDir=${join(folder, 'spool')}`,
    `SlurmctldPidFile=${join(folder, 'slurmctld.pid')}`,
    `SlurmdPidFile=${join(folder, 'slurmd.pid')}`,
    `SlurmctldLogFile=${join(folder, 'log', 'slurmctld.log')}`,
    `SlurmdLogFile=${join(folder, 'log', 'slurmd.log')}`,
    // No cgroups in a container: plain process tracking, no task binding.
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    // Schedule at once on submit and on completion (backfill would wait its interval).
    'SchedulerType=sched/builtin',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU',
    'MpiDefault=none',
    'SwitchType=switch/none',
    'ReturnToService=2',
    // Finished jobs stay visible to scontrol for the test to read their states.
    'MinJobAge=600',
    `NodeName=msclip-node NodeHostname=${hostname()} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} State=UNKNOWN`,
    'PartitionName=msclip Nodes=msclip-node Default=YES MaxTime=INFINITE State=UP',
    '',
  ].join('\n'));
  cluster.env = { SLURM_CONF: conf };
  const env = { ...process.env, SLURM_CONF: conf };
  start('slurmctld', 'slurmctld', ['-D', '-f', conf], { env });
  const client = (args: string[]) => spawnSync(args[0], args.slice(1), { env, encoding: 'utf8', timeout: 10_000 });
  if (!await waitFor(() => /is UP/.test(client(['scontrol', 'ping']).stdout ?? ''), 20)) return fail('slurmctld did not come up');
  start('slurmd', 'slurmd', ['-D', '-f', conf, '-N', 'msclip-node'], { env });
  if (!await waitFor(() => /idle/.test(client(['sinfo', '-h', '-o', '%t']).stdout ?? ''), 30)) return fail('slurmd did not register an idle node');
  return cluster;
}

/** `scontrol show job -o ID`: one map of fields per job (an array gives one per task). */
export function jobStates(cluster: SlurmCluster, id: string): Record<string, string>[] {
  const shown = spawnSync('scontrol', ['show', 'job', '-o', id], { env: { ...process.env, ...cluster.env }, encoding: 'utf8', timeout: 10_000 });
  return (shown.stdout ?? '').split('\n').filter((line) => line.includes('JobId=')).map((line) => Object.fromEntries(
    line.trim().split(/\s+/).map((field) => {
      const at = field.indexOf('=');
      return [field.slice(0, at), field.slice(at + 1)];
    }),
  ));
}
