/** "Destroy leaves nothing", as a case that ends by destroying its VM judges it. */
import { expect } from 'vitest';
import type { Sandbox } from '../contract/sandbox.ts';

/**
 * Destroys the VM and expects it gone with nothing of it left on the host. Destroy's own failure (the
 * runtime found something left, or could not stop the VMM) is what it saw go wrong, so it fails here as
 * an assertion, which a surrounding holds() names.
 */
export async function expectDestroyedLeavingNothing(sandbox: Sandbox): Promise<void> {
  const failure = await sandbox.destroy().then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  expect(failure, 'destroy completes').toBeUndefined();
  expect(sandbox.state, 'state after destroy').toBe('destroyed');
  expect(await sandbox.leftovers(), 'nothing of the VM is left on the host').toEqual([]);
}
