/**
 * What a restored guest runs with its first two execs, and what a guest is made to do before it
 * is saved: the guest-side half of a restore that QEMU cannot do for it.
 *
 * Its clock stands where it was saved (its clocks stop with the VM), so its wall clock lags by the time
 * since: it is set, as a guest agent does after a resume.
 *
 * Its random generator is the saved one, so every clone of a state would hand out the same bytes and
 * UUIDs. The guest kernel (Debian's 6.1 cloud kernels) has no VM generation ID driver that would
 * reseed on QEMU's signal, so the agent mixes bytes fresh from the host into the guest's pool and has
 * the kernel reseed from it at once (harness/image/reseed-tool.ts).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RESEED_TOOL_PATH } from '../../image/reseed-tool.ts';
import type { Sandbox } from '../../contract/sandbox.ts';

/** As much as the kernel's generator key: the pool then holds a key's worth the clones do not share. */
const RESEED_HOST_BYTES = 32;

/** How a restored VM of this runtime gets random state of its own, as Sandbox.restoreReseed says it. */
export const RESTORE_RESEED = `by the agent: ${RESEED_HOST_BYTES} host bytes written to /dev/urandom, then the kernel reseeded from its pool (ioctl RNDRESEEDCRNG)`;

/** Reseeds the guest's generator from its pool, with `bytes` fresh from the host mixed in first. */
export function reseedCommand(bytes: Buffer = randomBytes(RESEED_HOST_BYTES)): string {
  const escaped = [...bytes].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
  return `printf '${escaped}' > /dev/urandom && /${RESEED_TOOL_PATH}`;
}

/**
 * Sets a restored guest's wall clock to the host's `hostNowMs`, sent as the restore's second exec.
 * Not in the first: that one's transit is long and unknown (the guest's code is translated afresh
 * under TCG, and its reseed runs), and a clock set in it was 0.6 s behind at worst here, where the
 * second's transit is one warm one-way trip. busybox date sets whole seconds only, so the nearest
 * second is taken: the guest is off by at most half a second and that transit. Sent on every
 * restore, even when little would move: every clone of a state then runs the same commands, so a
 * clone that skipped its reseed (a fault) is not told apart by how many processes its restore
 * started (each takes bytes from the kernel's generator for its address space).
 */
export function clockSetCommand(hostNowMs: number): string {
  return `date -s @${Math.round(hostNowMs / 1000)} >/dev/null`;
}

/**
 * Brings a template guest to the moment it is saved and returns its uptime then: up for at least
 * `savedAtUptimeSeconds` when the profile asks, and just reseeded, so a clone's kernel next reseeds by itself a whole interval after its
 * restore (60 s on Linux 6.1 past early boot), not by chance in the moments a case looks.
 */
export async function readyToSave(template: Sandbox, savedAtUptimeSeconds = 0): Promise<number> {
  for (;;) {
    // The uptime is read after the reseed, in the same request: the last the guest says before its save.
    const uptimeSeconds = Number((await guestCommand(template, `${reseedCommand()} && cat /proc/uptime`)).split(' ')[0]);
    if (uptimeSeconds >= savedAtUptimeSeconds) return uptimeSeconds;
    await sleep((savedAtUptimeSeconds - uptimeSeconds) * 1000);
  }
}

async function guestCommand(sandbox: Sandbox, command: string): Promise<string> {
  const result = await sandbox.exec(command);
  if (result.exitCode !== 0) throw new Error(`${command.split(' ')[0]} in the template guest ${sandbox.name}: exit ${result.exitCode}: ${result.stderr.toString().trim()}`);
  return result.stdout.toString();
}
