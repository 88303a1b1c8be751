/**
 * Numeric bounds with messages that carry the unit, so "expected ≤ 276, saw 300" never leaves the
 * reader guessing whether that was MiB, bytes or seconds. Comparisons are written so NaN fails.
 */
import { AssertionFailure } from '../contract/assertion.ts';

export function withinTolerance(actual: number, expected: number, tolerance: number): boolean {
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be zero or more (got ${tolerance})`);
  return Math.abs(actual - expected) <= tolerance;
}

export function expectWithin(actual: number, min: number, max: number, what: string, unit = ''): void {
  const range = withUnit(`${formatNumber(min)}–${formatNumber(max)}`, unit);
  if (!(min <= max)) throw new RangeError(`${what}: range ${range} is empty`);
  if (actual >= min && actual <= max) return;
  throw new AssertionFailure(`${what}: expected ${range}, saw ${formatAmount(actual, unit)}`);
}

export function expectAtLeast(actual: number, min: number, what: string, unit = ''): void {
  if (actual >= min) return;
  throw new AssertionFailure(`${what}: expected ≥ ${formatAmount(min, unit)}, saw ${formatAmount(actual, unit)}`);
}

export function expectAtMost(actual: number, max: number, what: string, unit = ''): void {
  if (actual <= max) return;
  throw new AssertionFailure(`${what}: expected ≤ ${formatAmount(max, unit)}, saw ${formatAmount(actual, unit)}`);
}

function formatAmount(value: number, unit: string): string {
  return withUnit(formatNumber(value), unit);
}

/** Six significant digits: enough to tell 255.996 from 256 without printing float noise. */
function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

function withUnit(text: string, unit: string): string {
  return unit ? `${text} ${unit}` : text;
}
