/** The reports' and `gauntlet compare`'s numbers (harness/reports/). */

export const REPORTS = {
  /** Serial console lines kept with a failure in run.json, JUnit and the HTML report. */
  consoleTailLines: 40,
  /** Upper bound on the boot-time histogram's bins (fewer when there are few samples). */
  histogramMaxBins: 20,
  /** A series of fewer points is shown as numbers: a line through one or two points says nothing a number does not. */
  minSeriesPointsToPlot: 3,
} as const;

/** The A/B gate of `gauntlet compare`, after Firecracker's: a permutation test plus a noise floor. */
export const COMPARE = {
  /** A metric change counts only when a two-sided permutation test on the medians gives p below this. */
  significance: 0.01,
  /**
   * ...and the change's whole confidence interval lies at least this fraction of A's median away from
   * no change (the effect-size floor: a hunt looks for 10 % slowdowns, and two runs of one build on a
   * 2-core host move boot time by several per cent)...
   */
  minRelativeChange: 0.05,
  /** ...and beyond how far A's median moves between halves of A's own samples (the noise floor), learned from this many samples up. */
  noiseFloorMinSamples: 8,
  /** The bootstrap interval of the change, at this confidence: printed, and what the floors judge. */
  confidence: 0.95,
  /**
   * Above this many distinct splits of the samples, the permutation test draws this many random ones
   * (and the bootstrap as many): p reaches 1/2001, far below the significance level, and the exec
   * round trips of a whole run (thousands of samples) still compare in seconds.
   */
  resamples: 2_000,
  /** Up to this many splits the permutation test takes every one (exact, and as quick as drawing): 8 samples a side is 12 870. */
  exactSplitsUpTo: 20_000,
  /** Fixed, so the same two records always get the same verdict. */
  seed: 0x5eed,
} as const;
