/** `gauntlet hunt A B [suite...] [--budget 15m] [--cores N] [--bisect]`: the plan from the command line. */
import path from 'node:path';
import type { HuntPlan } from '../cli/hunt.ts';
import { parseBudget } from './budget.ts';
import { huntSide } from './side.ts';

/** A hunt looks for 10 % slowdowns; 15 minutes judged lifecycle + snapshot + the bench here, 7.2 against 10.0.2. */
export const DEFAULT_HUNT_BUDGET = '15m';

export interface HuntFlags {
  budget: string | undefined;
  cores: number | undefined;
  bisect: boolean;
  reports: string | undefined;
  /** Passed to every child run as given: --arch, --accel, --machine, --apt-source. */
  shared: string[];
}

export function huntPlan(positionals: string[], flags: HuntFlags): HuntPlan {
  const [a, b, ...suites] = positionals;
  if (a === undefined || b === undefined) throw new Error('usage: gauntlet hunt A B [suite...] [--budget 15m] (A, B: a VMM binary, qemu-system-…[=V], linux-image-…[=V] or exec:COMMAND)');
  return {
    sides: [huntSide('A', a), huntSide('B', b)],
    suites,
    budgetMs: parseBudget(flags.budget ?? DEFAULT_HUNT_BUDGET),
    cores: flags.cores,
    shared: flags.shared,
    reportsDir: path.resolve(flags.reports ?? path.join('reports', 'hunt')),
    bisect: flags.bisect,
  };
}
