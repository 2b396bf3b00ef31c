import { existsSync } from 'node:fs';
import { replayCaptures } from './capture-replay';
import { toReplayLine } from './replay-line';

export const REPLAY_USAGE = `usage: npm run ami:replay -- <capture.ami> [more.ami ...] [--pbx ID]

Replays AMI captures (with the .timing.jsonl beside each) into one call tracker and prints
one JSON object per call: ended calls in the order they ended, then calls still open.
Captures are joined in the given order; one that ends without "Response: Goodbye" counts
as a dropped connection, the next one's greeting as the reconnect.`;

export interface ReplayCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** `ami:replay` without the process around it; returns the exit code. */
export function runReplayCommand(argv: string[], io: ReplayCommandIo): number {
  const files: string[] = [];
  let pbx = 'pbx';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      io.out(REPLAY_USAGE);
      return 0;
    }
    if (arg === '--pbx') {
      const value = argv[++i];
      if (!value) return usageError(io, '--pbx needs a value');
      pbx = value;
    } else if (arg.startsWith('--pbx=')) {
      pbx = arg.slice('--pbx='.length);
      if (!pbx) return usageError(io, '--pbx needs a value');
    } else if (arg.startsWith('-')) {
      return usageError(io, `unknown option ${arg}`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) return usageError(io, 'no capture given');
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) return usageError(io, `no such file: ${missing.join(', ')}`);
  try {
    const { ended, open } = replayCaptures(files, { pbx });
    for (const call of [...ended, ...open]) io.out(JSON.stringify(toReplayLine(call)));
    return 0;
  } catch (error) {
    io.err(`ami:replay: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function usageError(io: ReplayCommandIo, message: string): number {
  io.err(`ami:replay: ${message}\n\n${REPLAY_USAGE}`);
  return 2;
}
