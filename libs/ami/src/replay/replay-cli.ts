import { runReplayCommand } from './replay-command';

process.exitCode = runReplayCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
