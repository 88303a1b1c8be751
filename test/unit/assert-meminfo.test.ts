import { describe, expect, it } from 'vitest';
import { meminfoMiB, parseMeminfo } from '../../harness/assert/meminfo.ts';

const sample = [
  'MemTotal:         247936 kB',
  'MemFree:          180224 kB',
  'MemAvailable:     204800 kB',
  'Active(anon):       1024 kB',
  'HugePages_Total:       0',
  'Hugepagesize:       2048 kB',
  '',
].join('\n');

describe('/proc/meminfo', () => {
  it('parses every line to KiB, including keys with parentheses and unitless counters', () => {
    expect(parseMeminfo(sample)).toEqual({
      MemTotal: 247_936,
      MemFree: 180_224,
      MemAvailable: 204_800,
      'Active(anon)': 1_024,
      HugePages_Total: 0,
      Hugepagesize: 2_048,
    });
  });

  it('converts one key to MiB', () => {
    expect(meminfoMiB(sample, 'MemAvailable')).toBe(200);
    expect(meminfoMiB(sample, 'MemTotal')).toBe(242.125);
  });

  it('says which key is missing and what it saw instead', () => {
    expect(() => meminfoMiB(sample, 'SwapTotal')).toThrow(/no SwapTotal line; keys seen: MemTotal, MemFree, MemAvailable/);
    expect(() => meminfoMiB('sh: cat: not found\n', 'MemAvailable')).toThrow(/keys seen: none; text starts: "sh: cat: not found/);
  });
});
