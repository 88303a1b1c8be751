/** `--budget 15m`: how long a hunt may take, as "90s", "15m" or "1h". */
import { HuntError } from './side.ts';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

export function parseBudget(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text);
  if (!match || Number(match[1]) <= 0) throw new HuntError(`--budget takes a duration such as 90s, 15m or 1h (got ${text})`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
