import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../harness/cli/args.ts';
import { formatKernelPackage, kernelImageHash, parseKernelPackage } from '../../harness/image/kernel-package.ts';

describe('--kernel-package', () => {
  it('takes a Debian kernel package with or without a version', () => {
    expect(parseKernelPackage('linux-image-6.1.0-47-cloud-amd64')).toEqual({ name: 'linux-image-6.1.0-47-cloud-amd64', version: undefined });
    expect(parseKernelPackage('linux-image-6.12.117+deb12-cloud-amd64=6.12.117-1~deb12u1')).toEqual({
      name: 'linux-image-6.12.117+deb12-cloud-amd64',
      version: '6.12.117-1~deb12u1',
    });
    expect(formatKernelPackage({ name: 'linux-image-cloud-amd64', version: '6.1.192-3' })).toBe('linux-image-cloud-amd64=6.1.192-3');
  });

  it('refuses anything but a linux-image package, and together with --kernel, as usage errors', () => {
    expect(() => parseCommand(['run', '--kernel-package', 'busybox-static'], {})).toThrow(UsageError);
    expect(() => parseCommand(['run', '--kernel-package', 'linux-image-cloud-amd64', '--kernel', '/boot/vmlinuz'], {})).toThrow(/give one/);
  });

  it('gives every package and version its own image, none the recipe image', () => {
    const recipe = 'a'.repeat(64);
    const hashes = [
      recipe,
      kernelImageHash(recipe, { name: 'linux-image-6.1.0-47-cloud-amd64', version: '6.1.170-3' }),
      kernelImageHash(recipe, { name: 'linux-image-6.1.0-47-cloud-amd64', version: '6.1.170-4' }),
      kernelImageHash(recipe, { name: 'linux-image-6.1.0-50-cloud-amd64', version: '6.1.170-3' }),
      kernelImageHash('b'.repeat(64), { name: 'linux-image-6.1.0-47-cloud-amd64', version: '6.1.170-3' }),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe('--seed', () => {
  it('is a 32-bit whole number; anything else is one line', () => {
    expect(parseCommand(['run', '--seed', '42'], {}).settings.seed).toBe(42);
    expect(parseCommand(['run'], {}).settings.seed).toBeUndefined();
    expect(() => parseCommand(['run', '--seed=-1'], {})).toThrow(/a seed is a whole number/);
    expect(() => parseCommand(['run', '--seed', '4294967296'], {})).toThrow(/a seed is a whole number/);
  });
});
