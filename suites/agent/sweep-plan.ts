/** The idle offsets reconnect-window-sweep visits, relative to the agent's read timeout. */

export interface SweepPlan {
  /** Offsets run from −span to +span... */
  spanSeconds: number;
  /** ...every this many seconds... */
  stepSeconds: number;
  /** ...and, between these two offsets, every denseStepSeconds. */
  denseFromSeconds: number;
  denseToSeconds: number;
  denseStepSeconds: number;
}

/** Offsets in seconds, ascending, each once; rounded to the millisecond so float steps do not drift. */
export function sweepOffsets(plan: SweepPlan): number[] {
  for (const [name, step] of [['stepSeconds', plan.stepSeconds], ['denseStepSeconds', plan.denseStepSeconds]] as const) {
    if (!(step > 0)) throw new RangeError(`sweep ${name} must be positive (got ${step})`);
  }
  const offsets = new Set([
    ...range(-plan.spanSeconds, plan.spanSeconds, plan.stepSeconds),
    ...range(plan.denseFromSeconds, plan.denseToSeconds, plan.denseStepSeconds),
  ]);
  return [...offsets].sort((a, b) => a - b);
}

function range(from: number, to: number, step: number): number[] {
  const count = Math.floor((to - from) / step + 1e-9);
  return Array.from({ length: count + 1 }, (_, i) => Math.round((from + i * step) * 1000) / 1000);
}
