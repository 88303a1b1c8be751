/** What the guest's init and agent read from the kernel command line (fixtures/guest/*.sh). */
import { AGENT, deadlineMs } from '../../config/constants.ts';
import { BALLOON_CONTROL, FAULT_SHAPES, GUEST } from './tuning.ts';
import type { Accelerator } from '../../contract/run-target.ts';
import type { SandboxSpec } from '../../contract/sandbox.ts';

export function guestKernelArgs(spec: SandboxSpec, accel: Accelerator): string[] {
  const faults = new Set(spec.faults ?? []);
  const args = [
    'quiet',
    `sysctl.kernel.hung_task_timeout_secs=${Math.ceil(deadlineMs(GUEST.hungTaskReportMs, accel) / 1000)}`,
    `gauntlet.agent_timeout=${spec.agent?.readTimeoutSeconds ?? AGENT.productionReadTimeoutSeconds}`,
  ];
  if (faults.has('balloon-driver-missing')) args.push('gauntlet.skip_modules=virtio_balloon');
  if (faults.has('agent-no-respawn')) args.push('gauntlet.agent_respawn=0');
  if (faults.has('agent-unguarded-reopen')) args.push('gauntlet.agent_fault=unguarded-reopen', `gauntlet.agent_reopen_pause=${FAULT_SHAPES.unguardedReopenPauseSeconds}`);
  if (faults.has('agent-never-reopens')) args.push('gauntlet.agent_fault=never-reopen');
  if (faults.has('agent-shell-only-kill')) args.push('gauntlet.agent_fault=shell-only-kill');
  if (faults.has('agent-pipeline-status')) args.push('gauntlet.agent_fault=pipeline-status');
  if (faults.has('agent-no-output-cap')) args.push('gauntlet.agent_fault=no-output-cap');
  if (spec.hostile?.agent) args.push(`gauntlet.agent_hostile=${spec.hostile.agent}`);
  if (faults.has('agent-spool-on-rootfs')) args.push('gauntlet.agent_fault=spool-on-rootfs');
  if (faults.has('tmp-on-rootfs')) args.push('gauntlet.tmp_on_rootfs=1');
  if (faults.has('tmpfs-uncapped')) args.push('gauntlet.tmpfs_uncapped=1');
  if (spec.zramMiB) args.push(`gauntlet.zram=${spec.zramMiB}`);
  if (spec.balloon && spec.balloon.freePageReporting) args.push(`gauntlet.page_reporting_order=${BALLOON_CONTROL.guestPageReportingOrder}`);
  if (spec.balloon && spec.balloon.deflateOnOom) args.push(`gauntlet.oom_working_set_ms=${BALLOON_CONTROL.guestOomWorkingSetMs}`);
  return args;
}
