/**
 * What a failed case keeps besides the files its runtime names (Sandbox.artifacts: command line,
 * console, control channel transcripts): each sandbox's last status as the runtime reported it (state,
 * events, the agent channel's report, boots), the agent transcript's tail where the runtime keeps one,
 * and the host kernel log's tail where the host lets us read it, for a VMM the host killed or starved.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { thisHost, type HostPlatform } from '../host/platform.ts';
import type { Sandbox } from '../contract/sandbox.ts';

/** Lines of the host kernel log kept: its last minutes on a busy host, not its whole boot. */
const HOST_KERNEL_LOG_LINES = 100;
/** Events kept of each sandbox: the last ones, where a failure shows. */
const EVENTS_KEPT = 50;

/** The sandbox's last status as JSON, in `dir`; returns the file. */
export async function writeSandboxStatus(sandbox: Sandbox, dir: string): Promise<string> {
  const channel = sandbox.agentChannel();
  const { recentExchanges: _kept, ...channelCounts } = channel;
  const status = {
    state: sandbox.state,
    vmmPid: sandbox.vmmPid,
    bootMs: sandbox.bootMs,
    restoreFallback: sandbox.restoreFallback,
    restoredFrom: sandbox.restoredFrom,
    agentChannel: { ...channelCounts, lastProtocolError: channel.lastProtocolError?.message },
    timings: sandbox.timings?.(),
    lastEvents: sandbox.events().slice(-EVENTS_KEPT),
  };
  const file = path.join(dir, 'status.json');
  await writeFile(file, `${JSON.stringify(status, null, 2)}\n`);
  return file;
}

/** The agent transcript's tail (the channel's last exchanges) in `dir`, or undefined when the runtime kept none. */
export async function writeAgentTranscriptTail(sandbox: Sandbox, dir: string): Promise<string | undefined> {
  const lines = sandbox.agentChannel().recentExchanges;
  if (lines.length === 0) return undefined;
  const file = path.join(dir, 'agent-transcript.txt');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** The host kernel log's tail in `dir`, or undefined where it cannot be read (no dmesg, not allowed). */
export async function writeHostKernelLogTail(dir: string, host: HostPlatform = thisHost): Promise<string | undefined> {
  if (host.platform !== 'linux') return undefined;
  const { ok, stdout } = await host.run('dmesg', []);
  if (!ok || stdout.trim() === '') return undefined;
  const file = path.join(dir, 'host-kernel-log.txt');
  await writeFile(file, `${stdout.trimEnd().split('\n').slice(-HOST_KERNEL_LOG_LINES).join('\n')}\n`);
  return file;
}
