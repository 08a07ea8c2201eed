#!/usr/bin/env node
/**
 * The one command-line entry: `msclip-bench <command> [flags]` (the `bin` of the
 * package; the npm scripts run the same file). Each command lives in its own module
 * under cli/commands/ and is loaded only when asked for, so `classify` never loads
 * the report stack.
 */
import { installInterruptHandlers } from '../core/interrupt.ts';
import { runCli } from './flags.ts';

const COMMANDS = {
  evaluate: { load: () => import('./commands/evaluate.ts'), summary: 'zero-shot (and other) evaluation of models on the benchmarks; records and leaderboard' },
  classify: { load: () => import('./commands/classify.ts'), summary: 'zero-shot classification of your own images' },
  retrieve: { load: () => import('./commands/retrieve.ts'), summary: 'text-to-image retrieval over your own images' },
  report: { load: () => import('./commands/report.ts'), summary: 'the HTML leaderboard from result records' },
  export: { load: () => import('./commands/export.ts'), summary: 'turn a published checkpoint into an ONNX bundle' },
  bench: { load: () => import('./commands/bench.ts'), summary: 'measure the data path and the model (prints, never asserts)' },
} as const satisfies Record<string, { load: () => Promise<{ main: (argv: readonly string[]) => Promise<number> }>; summary: string }>;

type CommandName = keyof typeof COMMANDS;

const USAGE = `Usage: msclip-bench <command> [options]   (npm run <command> -- [options] in a checkout)

Commands:
${Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`).join('\n')}

Run msclip-bench <command> --help for a command's options.
`;

const isCommand = (name: string | undefined): name is CommandName => name !== undefined && Object.hasOwn(COMMANDS, name);

// Ctrl-C or a scheduler's SIGTERM: what was encoded is saved before the process ends.
installInterruptHandlers();

await runCli(async () => {
  const [name, ...argv] = process.argv.slice(2);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 1 : 0;
  }
  if (!isCommand(name)) {
    const { unknownNameError } = await import('../core/errors.ts');
    throw unknownNameError('command', name, Object.keys(COMMANDS));
  }
  const command = await COMMANDS[name].load();
  return command.main(argv);
});
