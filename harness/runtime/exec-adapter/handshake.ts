/** initialize: the first message of every adapter, and the version negotiation. */
import { ADAPTER } from './limits.ts';
import { AdapterProcess, type AdapterWatch } from './adapter-process.ts';
import type { AdapterCommand } from './adapter-command.ts';
import { PROTOCOL_CHANGES, PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, type InitializeResult } from './protocol.ts';
import { AdapterProtocolError } from './wire.ts';

const HARNESS = { name: 'microvm-gauntlet', version: '0.1.0' };

export interface StartedAdapter {
  process: AdapterProcess;
  hello: InitializeResult;
}

/** Starts the adapter and says hello; throws one line when it cannot start or speaks no version of ours. */
export async function startAdapter(command: AdapterCommand, env?: NodeJS.ProcessEnv, watch?: AdapterWatch): Promise<StartedAdapter> {
  const process = new AdapterProcess(command, env, watch);
  try {
    const hello = await process.request<InitializeResult>('initialize', { protocolVersion: PROTOCOL_VERSION, harness: HARNESS }, ADAPTER.initializeDeadlineMs);
    const problem = versionProblem(hello.protocolVersion);
    if (problem) throw new AdapterProtocolError(`runtime adapter ${command.label} ${problem}`);
    return { process, hello };
  } catch (error) {
    await process.close().catch(() => {});
    throw error;
  }
}

export function versionProblem(version: number): string | undefined {
  if (SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  const ours = SUPPORTED_PROTOCOL_VERSIONS.join(', ');
  return version > PROTOCOL_VERSION
    ? `speaks runtime protocol ${version}, newer than this harness (${ours}): update gauntlet, or run an adapter release that speaks ${ours}`
    : `speaks runtime protocol ${version}, which this harness no longer speaks (${ours}): update the adapter (${changesSince(version)})`;
}

/** What every version after `version` changed, in one clause. */
function changesSince(version: number): string {
  const changes = Object.entries(PROTOCOL_CHANGES).filter(([to]) => Number(to) > version && Number(to) <= PROTOCOL_VERSION);
  return changes.map(([to, what]) => `version ${to}: ${what}`).join('; ');
}
