/**
 * npm run fuzz: at least 1,000,000 generated inputs through the AMI parser and the call tracker
 * (see ami-fuzz.ts), with progress every 100,000. FUZZ_INPUTS and FUZZ_SEED change the run;
 * run with --expose-gc so the heap figure is what stays alive. Exits 1 on a crash, a hang or a
 * heap past FUZZ_MAX_HEAP_MIB (256), printing fast-check's counterexample and seed.
 */
import { runAmiFuzz } from './ami-fuzz';

const inputs = Number(process.env.FUZZ_INPUTS ?? 1_000_000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const maxHeapMiB = Number(process.env.FUZZ_MAX_HEAP_MIB ?? 256);
const out = (line: string) => process.stdout.write(`${line}\n`);

out(`AMI fuzz: ${inputs.toLocaleString('en-US')} inputs, seed ${seed}, heap limit ${maxHeapMiB} MiB${(globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: heap figures include garbage)'}`);
try {
  const report = runAmiFuzz({
    inputs,
    seed,
    batch: 100_000,
    maxHeapMiB,
    onProgress: (r) =>
      out(
        `${r.inputs.toLocaleString('en-US')} inputs, ${(r.bytes / 2 ** 20).toFixed(0)} MiB, ${r.messages.toLocaleString('en-US')} messages, ` +
          `${r.trackerEvents.toLocaleString('en-US')} call events, slowest input ${r.slowestInputMs.toFixed(1)} ms, heap ${r.heapMiB.toFixed(0)} MiB, ` +
          `tracker ${r.trackerStats.calls} calls / ${r.trackerStats.channels} channels / ${r.trackerStats.recentChannels} recent, ${r.seconds.toFixed(0)} s`,
      ),
  });
  out(`passed: ${report.inputs.toLocaleString('en-US')} inputs, no crash, slowest input ${report.slowestInputMs.toFixed(1)} ms, peak heap ${report.peakHeapMiB.toFixed(0)} MiB`);
} catch (error) {
  process.stderr.write(`AMI fuzz failed (seed ${seed}): ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
