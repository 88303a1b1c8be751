/**
 * The order test files start in: the longest first, so no long file starts last and runs on alone
 * while the other workers sit idle. Vitest orders by the durations it cached in an earlier run on
 * this host; where it has none, the durations measured here (EXPECTED_FILE_SECONDS) stand in.
 */
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { EXPECTED_FILE_SECONDS } from './expected-file-seconds.ts';

export interface SchedulableFile {
  project: string;
  /** vitest's sequence.groupOrder: a later group starts only after every file of an earlier one. */
  groupOrder: number;
  /** Relative to the repository root. */
  file: string;
}

/** Group, then project (as vitest orders them), then the longest first; a file of unknown length before all known ones. */
export function longestFirst<T extends SchedulableFile>(files: readonly T[], secondsOf: (file: T) => number | undefined): T[] {
  const length = (file: T) => secondsOf(file) ?? Number.POSITIVE_INFINITY;
  return [...files].sort((a, b) => {
    if (a.groupOrder !== b.groupOrder) return a.groupOrder - b.groupOrder;
    if (a.project !== b.project) return a.project < b.project ? -1 : 1;
    const [lengthA, lengthB] = [length(a), length(b)];
    return lengthA === lengthB ? 0 : lengthA > lengthB ? -1 : 1;
  });
}

export class LongestFirstSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const entries = files.map((spec) => ({
      spec,
      project: spec.project.name,
      groupOrder: spec.project.config.sequence.groupOrder,
      file: path.relative(root, spec.moduleId).split(path.sep).join('/'),
    }));
    const secondsOf = (entry: (typeof entries)[number]) => {
      const cachedMs = this.ctx.cache.getFileTestResults(`${entry.project}:${entry.file}`)?.duration;
      return cachedMs === undefined ? EXPECTED_FILE_SECONDS[entry.file] : cachedMs / 1000;
    };
    return Promise.resolve(longestFirst(entries, secondsOf).map((entry) => entry.spec));
  }
}
