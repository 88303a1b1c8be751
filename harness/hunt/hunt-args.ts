/** `gauntlet hunt A B [suite...] [--budget 15m] [--cores N] [--bisect]`: the plan from the command line. */
import path from 'node:path';
import { parseBudget } from './budget.ts';
import { huntSide, type HuntSide } from './side.ts';

/** A hunt looks for 10 % slowdowns; 15 minutes judged lifecycle + snapshot + the bench here, 7.2 against 10.0.2. */
export const DEFAULT_HUNT_BUDGET = '15m';

export interface HuntPlan {
  sides: [HuntSide, HuntSide];
  /** The suites named (all when none); the bench runs beside them. */
  suites: string[];
  budgetMs: number;
  /** Cores for both sides together; each side plans its VMs for half. */
  cores: number | undefined;
  /** Flags every child run and bench is given (arch, accelerator, machine, apt sources). */
  shared: string[];
  reportsDir: string;
  bisect: boolean;
}

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
  if (a === undefined || b === undefined) throw new Error('usage: gauntlet hunt A B [suite...] [--budget 15m] (A, B: a VMM binary, a --qemu-package or --kernel-package NAME[=V], or exec:COMMAND)');
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
