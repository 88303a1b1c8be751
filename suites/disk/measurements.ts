/**
 * What the disk cases measure along the way, attached to the case's result (run.json, the report's
 * tables and plots): fill throughput in the guest and the VM's host footprint after each step.
 */
import type { CaseRecorder } from '../../harness/vitest/case-recorder.ts';
import type { Sandbox } from '../../harness/contract/sandbox.ts';
import { MIB, type WriteOutcome } from './guest-disk.ts';

/** Throughput of a fill or write as the guest sustained it, its final sync included. */
export function recordThroughput(recorder: CaseRecorder, step: string, write: WriteOutcome): void {
  if (write.durationMs > 0) recorder.metric(`${step} throughput`, round(write.bytes / MIB / (write.durationMs / 1000)), 'MiB/s');
}

/** Records the VM's host footprint after `step` and returns it in bytes. */
export async function recordFootprint(recorder: CaseRecorder, step: string, sandbox: Sandbox): Promise<number> {
  const { totalBytes } = await sandbox.hostFootprint();
  recorder.metric(`host footprint after ${step}`, round(totalBytes / MIB), 'MiB');
  return totalBytes;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
