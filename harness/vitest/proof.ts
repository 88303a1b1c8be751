/**
 * The one way to write a fault test: `proves(fault, '<case>/<what>', ({ vm, task }) => check(...))`.
 * The test passes only when the check, run on a VM with the fault, fails at the named claim. The check
 * passing, the VM not being made, a timeout, a precondition or another claim failing are each "not
 * proven", and fail the test with that said.
 */
import type { TestContext } from 'vitest';
import { failedAssertionOf, type AssertionId } from '../contract/assertion.ts';
import type { Fault } from '../contract/faults.ts';
import { test, type GauntletFixtures, type GauntletWorkerFixtures } from './vm-test.ts';

/** A fault test's claim, kept in the record beside its verdict. */
export interface ProofClaim {
  fault: Fault;
  assertion: AssertionId;
}

/** A proof that did not hold: the fault did not turn its named claim red. */
export class NotProvenError extends Error {
  override name = 'NotProvenError';
}

/** What a proof's check gets of the test: the fixtures of a case, and the test itself. */
type ProofContext = Pick<TestContext, 'task' | 'skip' | 'signal'> & GauntletFixtures & GauntletWorkerFixtures;

/** Declares the fault test `<fault> ⇒ <assertion>`; `check` runs the case's own check on the faulty VM. */
export function proves(fault: Fault, assertion: AssertionId, check: (context: ProofContext) => Promise<unknown>, timeoutMs?: number): void {
  test(
    proofName({ fault, assertion }),
    // Spelled out: vitest reads the fixtures a test uses from its first parameter's destructuring.
    async ({ task, skip, signal, vm, runtime, run, target }) => {
      (task.meta as { proof?: ProofClaim }).proof = { fault, assertion };
      if (!runtime.faults.has(fault)) skip(`runtime ${runtime.name} does not offer fault ${fault}, so ${assertion} is not proven on it`);
      await expectRedAt(check({ task, skip, signal, vm, runtime, run, target }), assertion);
    },
    timeoutMs,
  );
}

export function proofName(claim: ProofClaim): string {
  return `${claim.fault} ⇒ ${claim.assertion}`;
}

/** Resolves only when `outcome` rejects with the named claim's failure; otherwise says why it proves nothing. */
export async function expectRedAt(outcome: Promise<unknown>, assertion: AssertionId): Promise<void> {
  const failure = await outcome.then(
    () => undefined,
    (error: unknown) => error ?? new Error(String(error)),
  );
  if (failure === undefined) throw new NotProvenError(`not proven: ${assertion} held on the broken VM (the check passed)`);
  const failed = failedAssertionOf(failure);
  if (failed === assertion) return;
  const said = failure instanceof Error ? `${failure.name}: ${firstLine(failure.message)}` : String(failure);
  throw new NotProvenError(
    failed
      ? `not proven: ${failed} failed, not ${assertion} (${said})`
      : `not proven: the check stopped before any named claim failed, so ${assertion} was never seen red (${said})`,
    { cause: failure },
  );
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!;
}
