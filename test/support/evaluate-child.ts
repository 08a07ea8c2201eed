// A child process for tests that must kill an evaluate run (SIGKILL) part-way: runs
// runEvaluation on the JSON request in argv[2] (library defaults do not apply; the
// request is complete) and prints the summary JSON on stdout.
import { runEvaluation, type EvaluationRequest } from '../../runner/evaluate.ts';

const request = JSON.parse(process.argv[2]) as EvaluationRequest;
const summary = await runEvaluation(request, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${JSON.stringify(summary)}\n`);
