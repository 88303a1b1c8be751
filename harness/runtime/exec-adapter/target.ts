/**
 * An adapter's run target, from its initialize answer: the adapter runs its own VMM, so it, not the
 * harness, says which runtime, VMM and accelerator. An adapter that names no accelerator is taken to
 * emulate: every deadline then allows for the slowest, TCG.
 */
import { SettingsError, type AcceleratorChoice } from '../../config/settings.ts';
import type { GuestArch, RunTarget } from '../../contract/run-target.ts';
import type { InitializeResult } from './protocol.ts';

export function adapterTarget(adapter: string, hello: InitializeResult, choice: { arch: GuestArch; accelRequested: AcceleratorChoice }): RunTarget {
  const accelerator = hello.accelerator ?? 'tcg';
  if (choice.accelRequested !== 'auto' && choice.accelRequested !== accelerator) {
    throw new SettingsError(`${choice.accelRequested.toUpperCase()} was requested but the adapter ${adapter} runs its guests on ${hello.accelerator?.toUpperCase() ?? 'an accelerator it does not name'}`);
  }
  return {
    runtime: hello.runtime.name,
    runtimeVersion: hello.runtime.version,
    runtimeAdapter: adapter,
    ...(hello.vmm && { vmm: hello.vmm.name, vmmVersion: hello.vmm.version }),
    accelerator,
    acceleratorReason: hello.accelerator
      ? `the adapter runs its guests on ${accelerator.toUpperCase()}: ${hello.acceleratorReason ?? 'it gave no reason'}`
      : 'the adapter names no accelerator: deadlines allow for TCG',
    arch: choice.arch,
    tools: {},
  };
}
