/**
 * What `Runtime.create` throws when a sandbox never got ready. The half-made sandbox is destroyed
 * first; what its destroy could not remove is named here, since the caller has no sandbox to ask.
 */
export class SandboxCreateError extends Error {
  override name = 'SandboxCreateError';

  constructor(
    message: string,
    /** What of the sandbox is still on the host after the destroy (VMM, sockets, overlays); empty when nothing. */
    readonly leftovers: readonly string[],
  ) {
    super(leftovers.length > 0 ? `${message}\n(and destroying it left behind: ${leftovers.join(', ')})` : message);
  }
}
