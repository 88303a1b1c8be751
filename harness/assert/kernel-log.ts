/**
 * Guest kernel health: a balloon that squeezes a guest too hard, or a driver that mishandles a page,
 * shows up as an oops, a lockup or an RCU stall in the kernel log long before the guest stops answering.
 */
import { MACHINE_NAMES, machineProfile } from '../runtime/qemu/machine.ts';
import type { Sandbox } from '../runtime/types.ts';
import { describeExecResult } from './describe-exec.ts';

/** Each architecture's own stack-dump header (x86 `Call Trace:`, arm64 `Call trace:`), from the machine profiles. */
const CALL_TRACE_HEADERS = [...new Set(MACHINE_NAMES.map((name) => machineProfile(name).callTraceHeader))];

const PROBLEMS: Array<{ what: string; pattern: RegExp }> = [
  ...CALL_TRACE_HEADERS.map((header) => ({ what: header, pattern: new RegExp(header) })),
  { what: 'soft lockup', pattern: /soft lockup/i },
  { what: 'RCU stall', pattern: /rcu.*stall/i },
];

/** Each kernel log line that reports one of the problems, prefixed with what it reports. */
export function kernelLogProblems(log: string): string[] {
  const found: string[] = [];
  for (const line of log.split('\n')) {
    const problem = PROBLEMS.find(({ pattern }) => pattern.test(line));
    if (problem) found.push(`${problem.what}: ${line.trim()}`);
  }
  return found;
}

export async function expectHealthyKernel(sandbox: Pick<Sandbox, 'name' | 'exec'>): Promise<void> {
  const result = await sandbox.exec('dmesg');
  if (result.exitCode !== 0) throw new Error(`VM ${sandbox.name}: cannot read the kernel log: ${describeExecResult(result)}`);
  const problems = kernelLogProblems(result.stdout.toString('utf8'));
  if (problems.length > 0) throw new Error(`VM ${sandbox.name}: the guest kernel log reports\n${problems.join('\n')}`);
}
