/**
 * What a restored guest runs before its first exec answers, and what a guest is made to do before it
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

/** What a restore leaves as saved: only a broken runtime (a fault) leaves anything. */
export interface KeptFromSave {
  clock: boolean;
  randomState: boolean;
}

/** The first exec of a restored guest: its wall clock set to the host's and its generator reseeded; undefined when nothing is to be done. */
export function afterRestoreCommand(kept: KeptFromSave): string | undefined {
  const steps = [
    // busybox date sets whole seconds only: the nearest one is at most half a second off, not a whole one.
    ...(kept.clock ? [] : [`date -s @${Math.round(Date.now() / 1000)} >/dev/null`]),
    ...(kept.randomState ? [] : [reseedCommand()]),
  ];
  return steps.length > 0 ? steps.join(' && ') : undefined;
}

/**
 * The first exec sets the host's second at its send, late by the exec's transit (up to a second or two
 * under TCG on a loaded host) and off by up to half a second of rounding. One round trip then measures
 * what is left, the guest's clock against the midpoint of the host's send and receipt (right within
 * half the round trip), and the guest moves its own clock by it: relative to its own reading, so the
 * second exec's transit does not count again, to the nearest whole second (busybox date sets no less).
 * Always, even when little is left: every clone of a state then runs the same commands after its
 * restore, so a clone that skipped its reseed (a fault) is not told apart by how many processes its
 * settle started (each takes bytes from the kernel's generator for its address space).
 */
const GUEST_MICROSECONDS = `adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%d%06d\\n", s, u }'`;

/** The guest's wall clock in microseconds: busybox date has no sub-second format, adjtimex prints the kernel's time in full. */
export const GUEST_CLOCK_READ = GUEST_MICROSECONDS;

/** The guest's clock minus the host's, from a `GUEST_CLOCK_READ` reply and the host's send and receipt; undefined when the guest gave no such reading. */
export function guestClockOffsetMs(reply: string, sentAtMs: number, receivedAtMs: number): number | undefined {
  const text = reply.trim();
  if (!/^\d{16}$/.test(text)) return undefined;
  return Number(text) / 1000 - (sentAtMs + receivedAtMs) / 2;
}

/** Steps the guest's wall clock back by `offsetMs`: the guest's own time less the offset, to the nearest whole second. */
export function clockStepCommand(offsetMs: number): string {
  const offsetUs = Math.round(offsetMs * 1000);
  return `date -s @$(${GUEST_MICROSECONDS} | awk -v off=${offsetUs} '{ printf "%d", int(($1 - off) / 1e6 + 0.5) }') >/dev/null`;
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
