/**
 * Every member of Capability, to tell a known name from an unknown one at run time (`runtime check`
 * warns of a name no case reads). A record over the whole type: a member added to sandbox.ts without
 * a line here stops the type check.
 */
import type { Capability } from './sandbox.ts';

const EVERY_CAPABILITY: Record<Capability, true> = {
  balloon: true,
  'balloon-free-page-reporting': true,
  'balloon-deflate-on-oom': true,
  'balloon-stats': true,
  'stop-start': true,
  'disk-discard': true,
  'scratch-disk': true,
  'host-footprint': true,
  'host-vmm-memory': true,
  'host-vmm-overhead': true,
  'host-memory-reclaim': true,
  'io-error-pause': true,
  'file-transfer': true,
  'agent-reconnect': true,
  snapshot: true,
  'gauntlet-agent': true,
  'guest-freeze': true,
};

export const CAPABILITIES = Object.keys(EVERY_CAPABILITY) as Capability[];

export function isCapability(name: string): name is Capability {
  return Object.hasOwn(EVERY_CAPABILITY, name);
}
