/** `gauntlet bench`: the harness's own speed, measured like any metric. */
export const BENCH = {
  /** Rounds of raw boot, cold create and restore: `gauntlet compare` judges a metric from 8 samples a side. */
  rounds: 8,
  /** Execs timed on each cold VM: 8 × 25 = 200 round trips make a p99 that is not just the slowest one. */
  execsPerRound: 25,
  /** The targets of issue 13, printed beside the figures (the bench measures; it does not fail on them). */
  targets: { coldOverRaw: 1.1, restoreOverCold: 0.15, execP50Ms: 30, harnessCpuPercent: 5 },
} as const;
