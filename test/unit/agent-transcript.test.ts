/**
 * The agent transcript's tail a failed case keeps: what the host asked, what the agent answered, what
 * it greeted with and what was skipped, bounded. A scripted peer plays the agent (framing only).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../../harness/channel/agent-client.ts';
import { ExchangeLog } from '../../harness/channel/exchange-log.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('the agent transcript', () => {
  let dir: string;
  let server: net.Server;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gauntlet-transcript-'));
    server = net.createServer((socket) => {
      socket.write('H 42 1\n');
      socket.on('data', (chunk) => {
        const id = chunk.toString().split(' ')[1]!;
        socket.write(`not a frame\nR stranger 0 - ${b64('')} ${b64('')}\nR ${id} 3 - ${b64('out')} ${b64('')}\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'agent.sock'), resolve));
  });
  afterAll(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the request, the greeting, the skipped input, the stray reply and the answer, in order', async () => {
    const client = new AgentClient(path.join(dir, 'agent.sock'));
    await client.connect(5_000);
    await client.greeted;
    const result = await client.exec('echo out; exit 3', { timeoutSeconds: 5 });
    expect(result.exitCode).toBe(3);
    client.disconnect();
    const lines = client.report().recentExchanges.map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''));
    expect(lines).toEqual([
      '← HELLO',
      expect.stringMatching(/^→ \S+: exec "echo out; exit 3" \(timeout 5 s\)$/),
      expect.stringMatching(/^✗ skipped input: /),
      '← stranger: a reply no request waits for, ignored',
      expect.stringMatching(/^← \S+: exit 3, 3 B out, 0 B err, \d+ ms$/),
      '✗ agent channel disconnected by the host',
    ]);
  });

  it('keeps only its last lines', () => {
    const log = new ExchangeLog(3);
    for (const line of ['a', 'b', 'c', 'd']) log.add(line);
    expect(log.lines().map((line) => line.split(' ')[1])).toEqual(['b', 'c', 'd']);
  });
});
