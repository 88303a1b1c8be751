/**
 * How this QEMU build restores a saved VM, and why, for the run target (run.json names it): the
 * migration stream on a file descriptor (snapshot.ts) on every build. QEMU 9.0 and later also offer
 * `mapped-ram` (RAM at fixed offsets of a sparse file); measured on 10.0.2 here it restored no faster
 * than the stream (162 against 176 ms, inside the spread: docs/hunts.md), so the stream stays.
 */
import type { RestoreTransport } from '../../contract/run-target.ts';

/** The first QEMU release with the mapped-ram migration capability. */
const MAPPED_RAM_SINCE = { major: 9, minor: 0 };

export function restoreTransport(qemuVersion: string): RestoreTransport {
  const match = /version (\d+)\.(\d+)/.exec(qemuVersion);
  const offersMappedRam = match !== null && (Number(match[1]) > MAPPED_RAM_SINCE.major || (Number(match[1]) === MAPPED_RAM_SINCE.major && Number(match[2]) >= MAPPED_RAM_SINCE.minor));
  const reason = offersMappedRam
    ? 'this build offers mapped-ram, which restored no faster than the stream on 10.0.2 (162 against 176 ms, inside the spread)'
    : match === null
      ? 'the version line names no release, so mapped-ram (9.0 and later) is not assumed'
      : `mapped-ram came with ${MAPPED_RAM_SINCE.major}.${MAPPED_RAM_SINCE.minor}; this build predates it`;
  return { name: 'migration stream on a file descriptor', reason };
}
