/** Seeded random numbers: Math.random cannot be seeded, and a run must be reproducible from its seed. */

/** A small seeded generator (mulberry32): numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed for a run that was given none (printed and recorded, so the run can be made again). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 0x1_0000_0000);
}
