/** The one timestamp every built file carries, so the same inputs give the same bytes. */

/** 2024-01-01T00:00:00Z: used when SOURCE_DATE_EPOCH is not set. */
export const DEFAULT_SOURCE_DATE_EPOCH = 1_704_067_200;

export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.SOURCE_DATE_EPOCH;
  if (value === undefined || value === '') return DEFAULT_SOURCE_DATE_EPOCH;
  if (!/^\d+$/.test(value)) throw new Error(`SOURCE_DATE_EPOCH must be seconds since the epoch (got ${value})`);
  return Number(value);
}
