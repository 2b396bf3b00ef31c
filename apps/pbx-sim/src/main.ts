import { CaptureReplayServer } from '@app/ami';
import { CliError, parseCliArgs, USAGE } from './cli/cli-args';
import { startPbxSim } from './pbx-sim';

/** `npm run sim -- ...`: the simulator (or a capture replay) in the foreground until Ctrl-C or --duration. */
async function main(): Promise<void> {
  let args;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const log = (m: string): void => void process.stderr.write(`${new Date().toISOString()} ${m}\n`);
  let close: () => Promise<void>;
  if (args.replay) {
    const user = args.sim.users?.[0];
    const server = new CaptureReplayServer({
      captures: args.replay.captures,
      speed: args.replay.speed,
      port: args.sim.port,
      host: args.sim.host,
      credentials: user ? { username: user.username, secret: user.secret } : undefined,
      loop: args.replay.loop,
    });
    const { host, port } = await server.listen();
    log(`pbx-sim: replaying ${args.replay.captures.length} capture(s) on ${host}:${port} at ${args.replay.speed}x`);
    server.on('session', (info: { index: number; capture: string }) => log(`replay: connection ${info.index} gets ${info.capture}`));
    close = () => server.close();
  } else {
    const sim = await startPbxSim({ ...args.sim, log });
    const report = setInterval(() => {
      const s = sim.stats;
      log(`calls started ${s.engine.callsStarted}, active ${s.engine.activeCalls}, done ${s.engine.callsCompleted}, skipped ${s.traffic.skipped}, events ${s.engine.events}, AMI sessions ${s.ami.sessions}`);
    }, 10000);
    report.unref();
    close = async () => {
      clearInterval(report);
      await sim.close();
    };
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (args.durationSec !== null) setTimeout(stop, args.durationSec * 1000);
}

main().catch((err: Error) => {
  process.stderr.write(`pbx-sim failed: ${err.message}\n`);
  process.exit(1);
});
