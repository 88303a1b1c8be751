/**
 * The prepared target on its way to the workers: one JSON variable a worker reads and nothing else,
 * plus the variables an adapter in any language reads (GAUNTLET_RUN_DIR, GAUNTLET_ARCH, ...), all
 * derived from the target.
 */
import type { PreparedTarget } from '../contract/prepared-target.ts';
import { ENV, SettingsError } from './settings.ts';

export const PREPARED_TARGET_ENV = 'GAUNTLET_PREPARED';

export function targetEnv(target: PreparedTarget): Record<string, string> {
  const { kind: _kind, image: _image, runDir, seed, cold, reportsDir, repeat, kernel, ...runTarget } = target;
  return {
    [PREPARED_TARGET_ENV]: JSON.stringify(target),
    [ENV.target]: JSON.stringify(runTarget),
    [ENV.arch]: target.arch,
    [ENV.runDir]: runDir,
    [ENV.seed]: String(seed),
    [ENV.cold]: String(cold),
    [ENV.reportsDir]: reportsDir,
    ...(repeat === undefined ? {} : { [ENV.repeat]: String(repeat) }),
    ...(kernel === undefined ? {} : { [ENV.kernel]: kernel }),
  };
}

/** The target the run's preparation handed down; undefined when none was (a process outside a prepared run). */
export function readPreparedTarget(env: NodeJS.ProcessEnv = process.env): PreparedTarget | undefined {
  const text = env[PREPARED_TARGET_ENV];
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as PreparedTarget;
  } catch {
    throw new SettingsError(`${PREPARED_TARGET_ENV} is not the JSON a prepared run writes (got ${text.slice(0, 40)})`);
  }
}
