import { describe, expect, it } from 'vitest';
import { privateAptDir, privateAptOptions } from '../../harness/image/apt-state.ts';

describe('private apt state for a foreign guest architecture', () => {
  it('lives in the gauntlet cache, one directory per Debian architecture', () => {
    expect(privateAptDir('/c', 'arm64')).toBe('/c/apt/arm64');
  });

  it('points lists, cache and dpkg status into it and fetches only that architecture', () => {
    expect(privateAptOptions('/c/apt/arm64', 'arm64')).toEqual([
      '-o', 'APT::Architecture=arm64',
      '-o', 'APT::Architectures::=arm64',
      '-o', 'Dir::State::Lists=/c/apt/arm64/lists',
      '-o', 'Dir::Cache=/c/apt/arm64/cache',
      '-o', 'Dir::State::status=/c/apt/arm64/status',
    ]);
  });
});
