/**
 * A host footprint's release judged: the share of its growth that is gone again, counted in
 * allocated blocks (harness/host/allocated-bytes.ts).
 */
import { AssertionFailure } from '../contract/assertion.ts';
import { FOOTPRINT } from './limits.ts';

export interface ReleaseMeasurement {
  /** Allocated bytes before the growth (e.g. before the VM was created). */
  before: number;
  /** Allocated bytes once grown (e.g. after the fill). */
  grown: number;
  /** Allocated bytes now (e.g. after destroy). */
  after: number;
}

/** Share of the growth (grown − before) that is gone again; 1 means all of it. */
export function releasedFraction({ before, grown, after }: ReleaseMeasurement): number {
  const growth = grown - before;
  if (!(growth > 0)) {
    throw new Error(`footprint did not grow (before ${formatMiB(before)}, grown ${formatMiB(grown)}): nothing to measure a release against`);
  }
  return (grown - after) / growth;
}

export function expectReleased(
  measurement: ReleaseMeasurement & { fraction?: number; what?: string },
): void {
  const fraction = measurement.fraction ?? FOOTPRINT.minReleasedFraction;
  const what = measurement.what ?? 'host footprint';
  const released = releasedFraction(measurement);
  if (released >= fraction) return;
  const { before, grown, after } = measurement;
  // A release that fell short is the claim failing (a growth to measure against is the precondition).
  throw new AssertionFailure(
    `${what}: expected ≥ ${percent(fraction)} of its growth released; before ${formatMiB(before)}, ` +
      `grown ${formatMiB(grown)} (+${formatMiB(grown - before)}), now ${formatMiB(after)}: released ${percent(released)}`,
  );
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
