/**
 * `runtime check`'s step per claimed capability: short, but each one does what the capability
 * promises (a balloon that moves, stats that refresh, a disk kept over stop and start, a VM that
 * pauses on a full host and resumes without losing the write, a restore that is no boot) rather than
 * only asking whether the method exists. A capability not claimed is not asked about.
 */
import { BALLOON_CATALOGUE, expectCatalogueLimits } from '../../assert/balloon-catalogue.ts';
import type { BalloonLimits, BalloonMove, BalloonStats } from '../../contract/balloon.ts';
import type { VmEvent } from '../../contract/events.ts';
import { maxRestoreMs } from '../../config/constants.ts';
import { CheckedSandbox, CREATE_DEADLINE_MS, destroyStep } from './conformance-sandbox.ts';
import { demand, type CheckSession } from './conformance-session.ts';
import { fromBase64, toBase64 } from './wire.ts';

/** The check's VM: the balloon VM's memory, so the catalogue's balloon bounds apply as they stand. */
const MEMORY_MIB = 256;
const MIB = 1024 * 1024;
const SCRATCH_MIB = 16;
const STATS_INTERVAL_SECONDS = 1;
/** Two stats refreshes at a 1 s interval take 2 s; under TCG give it more. */
const STATS_REFRESH_DEADLINE_MS = 15_000;
/** A balloon move of 128 MiB takes a second or two under TCG. */
const BALLOON_MOVE_DEADLINE_MS = 90_000;
/** How long the guest's write may take to reach the full host and pause the VM. */
const IO_ERROR_DEADLINE_MS = 60_000;
/** Memory the reclaim step has the guest touch and free, then takes back with the balloon. */
const RECLAIM_TOUCH_MIB = 96;
/** guest-freeze: the exec sent to the frozen guest, and how long its failure may take (frozen-guest-detected's bound). */
const FROZEN_EXEC_TIMEOUT_SECONDS = 1;
const FROZEN_EXEC_DEADLINE_MS = 30_000;
/** virtio-balloon feature bits (virtio spec 5.5.3), as the guest's sysfs `features` string lists them. */
const BALLOON_FEATURE_BIT = { 'balloon-deflate-on-oom': 2, 'balloon-free-page-reporting': 5 } as const;

export type Claims = ReadonlySet<string>;

/** The one VM the capability steps share (snapshot makes its own): only what the claims need. */
export function checkSpec(claims: Claims): Record<string, unknown> {
  const disk = {
    ...(claims.has('scratch-disk') && { scratchMiB: SCRATCH_MIB }),
    ...(claims.has('disk-discard') && { discard: true }),
    ...(claims.has('io-error-pause') && { hostStorageControl: true, writeErrorPolicy: 'stop' }),
  };
  const balloon = claims.has('balloon')
    ? {
        ...(claims.has('balloon-stats') && { statsIntervalSeconds: STATS_INTERVAL_SECONDS }),
        ...(claims.has('balloon-free-page-reporting') && { freePageReporting: true }),
        ...(claims.has('balloon-deflate-on-oom') && { deflateOnOom: true }),
      }
    : false;
  return { name: 'runtime-check', memoryMiB: MEMORY_MIB, restore: false, balloon, ...(Object.keys(disk).length > 0 && { disk }) };
}

/** Every claimed capability's step on the shared VM; stop-start and io-error-pause last, as they disturb it. */
export async function capabilitySteps(session: CheckSession, sandbox: CheckedSandbox, claims: Claims): Promise<void> {
  if (claims.has('balloon')) await balloonSteps(session, sandbox, claims);
  else {
    await session.step('no balloon', async () => {
      demand(!sandbox.status.hasBalloon, 'a VM made with balloon: false must say hasBalloon: false');
      return 'balloon: false gives a VM without one';
    });
  }
  for (const capability of ['balloon-free-page-reporting', 'balloon-deflate-on-oom'] as const) {
    if (claims.has(capability)) await balloonFeatureStep(session, sandbox, capability);
  }
  if (claims.has('host-vmm-memory')) {
    await session.step('host-vmm-memory', async () => {
      const { bytes } = await sandbox.call<{ bytes: number }>('vmmMemory');
      demand(bytes >= MIB, `the VMM's resident memory must be its process's, in bytes: ${bytes}`);
      return `${Math.round(bytes / MIB)} MiB resident`;
    });
  }
  if (claims.has('host-vmm-overhead')) {
    await session.step('host-vmm-overhead', async () => {
      const { samples, peakBytes, longestGapMs, points } = await sandbox.call<{ samples: number; peakBytes: number; longestGapMs: number; points: { atMs: number; bytes: number }[] }>('vmmOverhead');
      demand(samples > 0 && points.length === samples, `the runtime watches the VMM's own memory from the VM's first boot: ${samples} looks, ${points.length} points`);
      demand(peakBytes === Math.max(...points.map((point) => point.bytes)), 'peakBytes is the most of its points');
      demand(points.every((point, index) => index === 0 || point.atMs >= points[index - 1]!.atMs), 'the points in the order they were taken');
      return `${samples} looks, peak ${Math.round(peakBytes / MIB)} MiB, longest gap ${longestGapMs} ms`;
    });
  }
  if (claims.has('host-memory-reclaim')) await reclaimStep(session, sandbox);
  if (claims.has('host-footprint')) await footprintStep(session, sandbox);
  if (claims.has('scratch-disk')) {
    await session.step('scratch-disk', async () => {
      const sectors = Number((await sandbox.run('cat /sys/block/vdb/size')).trim());
      demand(sectors * 512 === SCRATCH_MIB * MIB, `disk.scratchMiB ${SCRATCH_MIB} must show as the guest's /dev/vdb of that size: ${sectors} sectors`);
      return `/dev/vdb, ${SCRATCH_MIB} MiB`;
    });
  }
  if (claims.has('disk-discard')) {
    await session.step('disk-discard', async () => {
      const maxBytes = Number((await sandbox.run('cat /sys/block/vda/queue/discard_max_bytes')).trim());
      demand(maxBytes > 0, 'disk.discard must give the guest a root disk that takes discards (discard_max_bytes > 0)');
      return `root disk takes discards of up to ${maxBytes} bytes`;
    });
  }
  if (claims.has('file-transfer')) await fileTransferStep(session, sandbox);
  if (claims.has('agent-reconnect')) {
    await session.step('agent-reconnect', async () => {
      await sandbox.call('reconnectAgent');
      demand((await sandbox.run('echo again')) === 'again\n', 'exec after reconnectAgent must work');
      return 'redialled; exec works';
    });
  }
  if (claims.has('gauntlet-agent')) {
    await session.step('gauntlet-agent', async () => {
      const pid = Number((await sandbox.run('cat /run/gauntlet-agent/pid')).trim());
      const opens = Number((await sandbox.run('cat /run/gauntlet-agent/opens')).trim());
      demand(pid > 1 && opens >= 1, `the harness's agent keeps its pid and port opens under /run/gauntlet-agent: pid ${pid}, opens ${opens}`);
      return `agent pid ${pid}, its port opened ${opens} time(s)`;
    });
  }
  if (claims.has('guest-freeze')) await guestFreezeStep(session, sandbox);
  if (claims.has('io-error-pause')) await ioErrorStep(session, sandbox);
  if (claims.has('stop-start')) await stopStartStep(session, sandbox);
}

/**
 * A frozen guest's exec fails with GuestNoAnswerError, neither answering nor hanging past its timeout
 * and the reply's grace; after the thaw the guest answers. What frozen-guest-detected then judges in
 * detail, so an adapter whose freeze does nothing (or whose exec hangs) is told before a run.
 */
async function guestFreezeStep(session: CheckSession, sandbox: CheckedSandbox): Promise<void> {
  await session.step('guest-freeze', async () => {
    await sandbox.call('freezeGuest', { frozen: true });
    const startedAt = Date.now();
    const outcome = await sandbox.exec('echo frozen', { timeoutSeconds: FROZEN_EXEC_TIMEOUT_SECONDS }, FROZEN_EXEC_DEADLINE_MS).then(
      (result) => `answered (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''})`,
      () => (/"type":"GuestNoAnswerError"/.test((session.lastExchange() ?? []).join('\n')) ? undefined : `failed otherwise: ${(session.lastExchange() ?? []).at(-1)}`),
    );
    const waitedMs = Date.now() - startedAt;
    await sandbox.call('freezeGuest', { frozen: false });
    demand(outcome === undefined, `an exec (timeout ${FROZEN_EXEC_TIMEOUT_SECONDS} s) to a frozen guest must fail with data.type GuestNoAnswerError; it ${outcome}`);
    demand((await sandbox.run('echo thawed')) === 'thawed\n', 'after freezeGuest(false) the guest must answer again');
    return `a frozen guest's exec failed with GuestNoAnswerError after ${(waitedMs / 1000).toFixed(1)} s; after the thaw it answered`;
  });
}

async function balloonSteps(session: CheckSession, sandbox: CheckedSandbox, claims: Claims): Promise<void> {
  const fallback: BalloonLimits = { minimumMiB: BALLOON_CATALOGUE.maxMinimumMiB, toleranceMiB: BALLOON_CATALOGUE.maxToleranceMiB };
  let limits = fallback;
  const balloon = (method: string, params: Record<string, unknown> = {}, deadlineMs?: number) => sandbox.call<Record<string, unknown>>(`balloon.${method}`, { balloon: 0, ...params }, deadlineMs);

  await session.step('balloon: limits', async () => {
    limits = (await balloon('limits')) as unknown as BalloonLimits;
    demand(sandbox.status.hasBalloon, 'a VM made with a balloon must say hasBalloon: true');
    expectCatalogueLimits(limits);
    return `floor ${limits.minimumMiB} MiB, tolerance ${limits.toleranceMiB} MiB`;
  });

  await session.step('balloon: move', async () => {
    const memory = sandbox.spec.memoryMiB;
    const near = (actual: number, target: number) => Math.abs(actual - target) <= limits.toleranceMiB;
    await balloon('connect');
    const start = (await balloon('query')).actualMiB as number;
    demand(near(start, memory), `actualMiB is the memory the guest keeps (the whole ${memory} MiB before any inflate), not the balloon's size: ${start}`);
    const target = Math.max(limits.minimumMiB, memory / 2);
    const before = (await balloon('inflate', { targetMiB: target }, BALLOON_MOVE_DEADLINE_MS)).beforeMiB as number;
    demand(near(before, start), `inflate's beforeMiB is actualMiB before the move: ${before}, query said ${start}`);
    const inflated = (await balloon('query')).actualMiB as number;
    demand(inflated <= target + limits.toleranceMiB, `inflate answers once actualMiB ≤ target + tolerance: target ${target}, actual ${inflated}`);
    await balloon('deflate', { targetMiB: memory }, BALLOON_MOVE_DEADLINE_MS);
    const deflated = (await balloon('query')).actualMiB as number;
    demand(deflated >= memory - limits.toleranceMiB, `deflate answers once actualMiB ≥ target − tolerance: target ${memory}, actual ${deflated}`);
    const moves = (await balloon('moves')).moves as BalloonMove[];
    demand(moves.length === 0 || (moves.length === 2 && moves[0]!.direction === 'inflate' && moves[1]!.direction === 'deflate'), `moves lists the inflate and the deflate since connect (or none where nothing is timed): ${JSON.stringify(moves)}`);
    await balloon('close');
    return `${start} → ${inflated} → ${deflated} MiB; ${moves.length === 0 ? 'moves not timed' : `moves timed by ${moves[0]!.timedBy}`}`;
  });

  if (!claims.has('balloon-stats')) return;
  await session.step('balloon-stats: refresh', async () => {
    await balloon('connect');
    const seen = new Set<number>();
    let stats: BalloonStats = {};
    const deadline = performance.now() + STATS_REFRESH_DEADLINE_MS;
    while (seen.size < 2 && performance.now() < deadline) {
      stats = (await balloon('stats')).stats as BalloonStats;
      if (stats.lastUpdate !== undefined && stats.lastUpdate > 0) seen.add(stats.lastUpdate);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await balloon('close');
    demand(seen.size >= 2, `with statsIntervalSeconds ${STATS_INTERVAL_SECONDS}, lastUpdate must advance within ${STATS_REFRESH_DEADLINE_MS / 1000} s; saw ${[...seen].join(', ') || 'none'}`);
    const nowSeconds = Date.now() / 1000;
    demand(Math.abs(stats.lastUpdate! - nowSeconds) < 3600, `lastUpdate is when the guest last reported, in seconds since the epoch: ${stats.lastUpdate} (now ${Math.round(nowSeconds)})`);
    demand((stats.totalBytes ?? 0) > 0 && stats.totalBytes! <= sandbox.spec.memoryMiB * MIB, `totalBytes is the guest's total memory in bytes: ${stats.totalBytes}`);
    return `lastUpdate advanced (${[...seen].join(' → ')}), ${Math.round(stats.totalBytes! / MIB)} MiB total`;
  });
}

/**
 * Memory the guest touched and freed is resident in the VMM; an inflate takes it into the balloon, and
 * the VMM's resident memory must drop by a good part of it.
 */
async function reclaimStep(session: CheckSession, sandbox: CheckedSandbox): Promise<void> {
  await session.step('host-memory-reclaim', async () => {
    const balloon = (method: string, params: Record<string, unknown> = {}) => sandbox.call<Record<string, unknown>>(`balloon.${method}`, { balloon: 1, ...params }, BALLOON_MOVE_DEADLINE_MS);
    const resident = async () => (await sandbox.call<{ bytes: number }>('vmmMemory')).bytes;
    const memory = sandbox.spec.memoryMiB;
    await balloon('connect');
    // dd's one block is a buffer of that size, filled from /dev/zero: touched, then freed at its exit.
    await sandbox.run(`dd if=/dev/zero of=/dev/null bs=${RECLAIM_TOUCH_MIB}M count=1 2>/dev/null`);
    const before = await resident();
    await balloon('inflate', { targetMiB: memory - RECLAIM_TOUCH_MIB });
    const after = await resident();
    await balloon('deflate', { targetMiB: memory });
    await balloon('close');
    const droppedMiB = (before - after) / MIB;
    demand(droppedMiB >= RECLAIM_TOUCH_MIB / 4, `an inflate of ${RECLAIM_TOUCH_MIB} MiB over memory the guest had touched must lower the VMM's resident memory: ${Math.round(before / MIB)} → ${Math.round(after / MIB)} MiB`);
    return `${Math.round(droppedMiB)} MiB left the VMM after a ${RECLAIM_TOUCH_MIB} MiB inflate`;
  });
}

/** The guest's virtio-balloon driver lists the features the device offered and the driver took. */
async function balloonFeatureStep(session: CheckSession, sandbox: CheckedSandbox, capability: keyof typeof BALLOON_FEATURE_BIT): Promise<void> {
  await session.step(capability, async () => {
    const features = (await sandbox.run('cat /sys/bus/virtio/drivers/virtio_balloon/virtio*/features')).trim();
    const bit = BALLOON_FEATURE_BIT[capability];
    demand(features[bit] === '1', `the spec asked for it, so the guest's balloon must have feature bit ${bit}: features ${features || '(no balloon driver bound)'}`);
    return `feature bit ${bit} on`;
  });
}

async function footprintStep(session: CheckSession, sandbox: CheckedSandbox): Promise<void> {
  await session.step('host-footprint', async () => {
    const footprint = () => sandbox.call<{ files: Record<string, number>; totalBytes: number }>('footprint');
    const before = await footprint();
    const paths = Object.keys(before.files);
    demand(paths.length > 0 && paths.every((file) => file.startsWith('/')), `footprint lists the host files behind the VM's disks by absolute path: ${JSON.stringify(before.files)}`);
    const sum = Object.values(before.files).reduce((total, bytes) => total + bytes, 0);
    demand(before.totalBytes === sum, `totalBytes is the sum of files: ${before.totalBytes} against ${sum}`);
    await sandbox.run('dd if=/dev/urandom of=/gauntlet-check-footprint bs=1M count=8 2>/dev/null && sync');
    const after = await footprint();
    await sandbox.run('rm -f /gauntlet-check-footprint && sync');
    demand(after.totalBytes - before.totalBytes >= 4 * MIB, `8 MiB written in the guest must show on the host (allocated bytes, not apparent size): ${before.totalBytes} → ${after.totalBytes}`);
    return `${paths.length} file(s); +${Math.round((after.totalBytes - before.totalBytes) / MIB)} MiB after an 8 MiB write`;
  });
}

async function fileTransferStep(session: CheckSession, sandbox: CheckedSandbox): Promise<void> {
  await session.step('file-transfer', async () => {
    const data = Buffer.from([0x00, 0xff, 0x0a, 0x80, ...Buffer.from('upload')]);
    await sandbox.call('upload', { guestPath: '/gauntlet-check-upload', data: toBase64(data) });
    const size = (await sandbox.run('wc -c < /gauntlet-check-upload')).trim();
    const back = fromBase64((await sandbox.call<{ data: string }>('download', { guestPath: '/gauntlet-check-upload' })).data);
    demand(Number(size) === data.length && back.equals(data), `upload then download must give the bytes back: guest size ${size}, downloaded ${back.toString('hex')}`);
    await sandbox.run('rm -f /gauntlet-check-upload');
    return `${data.length} bytes up and back`;
  });
}

/** A write that finds the host full pauses the VM, and completes after space is back and the VM resumed. */
async function ioErrorStep(session: CheckSession, sandbox: CheckedSandbox): Promise<void> {
  await session.step('io-error-pause', async () => {
    await sandbox.call('setHostStorageFull', { full: true });
    const write = sandbox.exec('dd if=/dev/zero of=/gauntlet-check-overflow bs=1M count=4 conv=fsync 2>&1', {}, IO_ERROR_DEADLINE_MS * 2);
    write.catch(() => {});
    try {
      const { event } = await sandbox.call<{ event: VmEvent<'io-error'> }>('waitForEvent', { kind: 'io-error', timeoutMs: IO_ERROR_DEADLINE_MS }, IO_ERROR_DEADLINE_MS + 10_000);
      demand(event.data.operation === 'write' && event.data.noSpace && event.data.action === 'pause', `a write that found the host full: io-error {operation: write, noSpace: true, action: pause}, was ${JSON.stringify(event.data)}`);
      // waitForEvent('paused') could answer an earlier pause of this boot (diskCheck pauses too): watch the state.
      const deadline = performance.now() + IO_ERROR_DEADLINE_MS;
      while (sandbox.state() !== 'paused' && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sandbox.call('events');
      }
      demand(sandbox.state() === 'paused', `the VM stopped for the error must say state paused, was ${sandbox.state()}`);
    } finally {
      // Whatever failed above, the steps after this one need a running VM with its space back.
      await sandbox.call('setHostStorageFull', { full: false });
      if (sandbox.state() === 'paused') await sandbox.call('resume');
    }
    const written = await write;
    demand(written.exitCode === 0, `the write must complete after resume, as if nothing happened: exit ${written.exitCode}, ${written.stdout.toString().slice(0, 200)}`);
    demand(sandbox.state() === 'running', `after resume the state is running, was ${sandbox.state()}`);
    await sandbox.run('rm -f /gauntlet-check-overflow');
    return 'paused on the full host, resumed, the write completed';
  });
}

async function stopStartStep(session: CheckSession, sandbox: CheckedSandbox): Promise<void> {
  await session.step('stop-start', async () => {
    await sandbox.run('echo kept > /gauntlet-check-kept && sync');
    await sandbox.call('stop', {}, CREATE_DEADLINE_MS);
    demand(sandbox.state() === 'stopped', `stop's answer must say state stopped, was ${sandbox.state()}`);
    await sandbox.call('start', {}, CREATE_DEADLINE_MS);
    demand(sandbox.state() === 'running', `start answers once the guest runs commands again: state running, was ${sandbox.state()}`);
    demand((await sandbox.run('cat /gauntlet-check-kept')) === 'kept\n', 'start boots the same disk: a file written before stop must be there');
    return 'a file written before stop was there after start';
  });
}

/**
 * Two restores of the check's profile: the first may include the save, the second is timed against
 * the cold create. Each must be a restore (no restoreFallback), run commands, and go without a trace.
 */
export async function snapshotSteps(session: CheckSession, cold: CheckedSandbox | undefined): Promise<void> {
  let restoreMs: number | undefined;
  for (const round of [1, 2]) {
    let sandbox: CheckedSandbox | undefined;
    const step = round === 1 ? 'snapshot: save and restore' : 'snapshot: restore again';
    const ok = await session.step(step, async () => {
      sandbox = await CheckedSandbox.create(session, { name: `runtime-check-restore-${round}`, memoryMiB: MEMORY_MIB, restore: true });
      demand(sandbox.status.restoreFallback === undefined, `asked to restore, it booted cold: restoreFallback "${sandbox.status.restoreFallback}"`);
      demand(sandbox.status.timings?.boots[0]?.restored === true, 'a restored VM\'s status must say so: timings.boots[0].restored true (the snapshot cases read it)');
      demand((await sandbox.run('echo restored')) === 'restored\n', 'a restored VM runs commands');
      // As restore-then-exec times it: the runtime's own create to first exec, where it says.
      restoreMs = sandbox.status.bootMs ?? sandbox.createMs;
      return `restored and ran a command, ready in ${(sandbox.createMs / 1000).toFixed(1)} s`;
    });
    if (sandbox) await destroyStep(session, sandbox, `${step}: destroy`);
    if (!ok) return;
  }
  if (restoreMs === undefined || cold === undefined) return;
  const coldMs = cold.status.bootMs ?? cold.createMs;
  const maxMs = maxRestoreMs(coldMs, cold.status.timings?.boots[0]?.firstConsoleOutputMs);
  if (restoreMs > maxMs) {
    session.warn('snapshot: speed', `a restore took ${(restoreMs / 1000).toFixed(1)} s against ${(coldMs / 1000).toFixed(1)} s cold: restore-then-exec expects it to skip three quarters of the guest's own boot, at most ${(maxMs / 1000).toFixed(1)} s`);
  }
}
