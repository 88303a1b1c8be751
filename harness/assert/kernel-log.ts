/**
 * Guest kernel health: a balloon that squeezes a guest too hard, or a driver that mishandles a page,
 * shows up as an oops, a lockup or an RCU stall in the kernel log long before the guest stops answering.
 */
import type { GuestArch } from '../contract/run-target.ts';
import type { Sandbox } from '../contract/sandbox.ts';
import { AssertionFailure } from '../contract/assertion.ts';
import { describeExecResult } from './describe-exec.ts';

/** How each architecture's kernel heads a stack dump in its log (the oops/warning marker). */
const CALL_TRACE_HEADER: Record<GuestArch, string> = { x86_64: 'Call Trace', aarch64: 'Call trace' };
const CALL_TRACE_HEADERS = [...new Set(Object.values(CALL_TRACE_HEADER))];

/**
 * First match wins, so the specific words come before the general `BUG:` (which also heads soft
 * lockups and scheduling bugs). The words are the kernel's own, as x86_64 and arm64 print them.
 */
const PROBLEMS: Array<{ what: string; pattern: RegExp }> = [
  { what: 'kernel panic', pattern: /Kernel panic - not syncing/ },
  { what: 'soft lockup', pattern: /soft lockup/i },
  { what: 'hard lockup', pattern: /hard LOCKUP/i },
  { what: 'RCU stall', pattern: /rcu.*stall/i },
  { what: 'hung task', pattern: /INFO: task .* blocked for more than \d+ seconds/ },
  // x86: "Oops: 0002 [#1] PREEMPT SMP"; arm64: "Internal error: Oops: 96000045 [#1] SMP".
  { what: 'Oops', pattern: /\bOops\b/ },
  // arm64 says "Unable to handle kernel NULL pointer dereference", x86 "BUG: kernel NULL pointer dereference".
  { what: 'kernel fault', pattern: /Unable to handle kernel |general protection fault/ },
  { what: 'BUG', pattern: /\bBUG: / },
  ...CALL_TRACE_HEADERS.map((header) => ({ what: header, pattern: new RegExp(`${header}:`) })),
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
  if (problems.length > 0) throw new AssertionFailure(`VM ${sandbox.name}: the guest kernel log reports\n${problems.join('\n')}`);
}
