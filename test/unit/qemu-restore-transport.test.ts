import { describe, expect, it } from 'vitest';
import { restoreTransport } from '../../harness/runtime/qemu/restore-transport.ts';

describe('the restore transport the run target names', () => {
  it('keeps the stream on 10.0.2 and says mapped-ram measured no faster there', () => {
    const chosen = restoreTransport('QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)');
    expect(chosen.name).toBe('migration stream on a file descriptor');
    expect(chosen.reason).toMatch(/offers mapped-ram, which restored no faster/);
  });

  it('says a build before 9.0 has no mapped-ram, and assumes none from a version line it cannot read', () => {
    expect(restoreTransport('QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)').reason).toBe('mapped-ram came with 9.0; this build predates it');
    expect(restoreTransport('QEMU emulator version 9.0.0').reason).toMatch(/offers mapped-ram/);
    expect(restoreTransport('QEMU emulator version 8.2.9').reason).toMatch(/predates it/);
    expect(restoreTransport('a patched build').reason).toMatch(/names no release/);
  });
});
