import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostPlatform } from '../../harness/host/platform.ts';
import type { Sandbox } from '../../harness/contract/sandbox.ts';
import { writeAgentTranscriptTail, writeHostKernelLogTail, writeSandboxStatus } from '../../harness/vitest/failure-bundle.ts';

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bundle-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const host = (platform: NodeJS.Platform, dmesg: { ok: boolean; stdout: string }) => ({ platform, run: async () => dmesg }) as unknown as HostPlatform;

describe('the failure bundle', () => {
  it('keeps the sandbox status as the runtime last reported it, its events cut to the last ones', async () => {
    const events = Array.from({ length: 60 }, (_, index) => ({ kind: 'paused', data: {}, atMs: index, vmmName: 'STOP' }));
    const sandbox = {
      state: 'running',
      vmmPid: 42,
      bootMs: 300,
      agentChannel: () => ({ protocolErrors: 1, lastProtocolError: new Error('cut frame'), strayReplies: 0, peakHeldChars: 10, recentExchanges: ['→ a-1'] }),
      events: () => events,
    } as unknown as Sandbox;
    const status = JSON.parse(readFileSync(await writeSandboxStatus(sandbox, scratch()), 'utf8'));
    expect(status).toMatchObject({ state: 'running', vmmPid: 42, agentChannel: { lastProtocolError: 'cut frame' } });
    expect(status.agentChannel.recentExchanges, 'the transcript has a file of its own').toBeUndefined();
    expect(status.lastEvents).toHaveLength(50);
    expect(status.lastEvents[0].atMs).toBe(10);
  });

  it("keeps the agent transcript's tail in a file of its own, and none where the runtime kept no transcript", async () => {
    const withTranscript = (recentExchanges: string[]) => ({ agentChannel: () => ({ recentExchanges }) }) as unknown as Sandbox;
    const file = await writeAgentTranscriptTail(withTranscript(['12:00:00.000 → a-1: exec "true" (timeout 60 s)', '12:00:00.020 ← a-1: exit 0, 0 B out, 0 B err, 20 ms']), scratch());
    expect(readFileSync(file!, 'utf8')).toBe('12:00:00.000 → a-1: exec "true" (timeout 60 s)\n12:00:00.020 ← a-1: exit 0, 0 B out, 0 B err, 20 ms\n');
    expect(await writeAgentTranscriptTail(withTranscript([]), scratch())).toBeUndefined();
  });

  it("keeps the host kernel log's last 100 lines on Linux, nothing where it cannot be read", async () => {
    const log = Array.from({ length: 150 }, (_, index) => `line ${index}`).join('\n');
    const file = await writeHostKernelLogTail(scratch(), host('linux', { ok: true, stdout: log }));
    const kept = readFileSync(file!, 'utf8').trimEnd().split('\n');
    expect(kept).toHaveLength(100);
    expect(kept[0]).toBe('line 50');
    expect(await writeHostKernelLogTail(scratch(), host('linux', { ok: false, stdout: '' }))).toBeUndefined();
    expect(await writeHostKernelLogTail(scratch(), host('darwin', { ok: true, stdout: log }))).toBeUndefined();
  });
});
