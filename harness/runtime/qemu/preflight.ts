/**
 * Proves, before any case runs, that this QEMU build can run the suites at all: it answers, it has the
 * machine type and every device model the command line will ask for, and a qemu-img is there. A build
 * that lacks one would otherwise fail every case, and a bisect would call a broken build "bad".
 */
import { execa } from 'execa';
import { VERSION_QUERY_TIMEOUT_MS } from './tuning.ts';
import { SettingsError } from '../../config/settings.ts';
import { deviceModels } from './command-line.ts';
import type { MachineProfile } from './machine.ts';
import { qemuImgBinary } from './vm-files.ts';

export interface QemuTools {
  qemuVersion: string;
  /** The qemu-img the run uses (beside the QEMU binary, else on PATH), and its version line. */
  qemuImg: string;
  qemuImgVersion: string;
}

/** A settings error: the run cannot be made with this build, which says nothing of the runtime's behaviour. */
export class QemuPreflightError extends SettingsError {
  override name = 'QemuPreflightError';
}

/** What the preflight asks a binary; injected by unit tests. */
export type ToolRunner = (binary: string, args: string[]) => Promise<ToolAnswer>;

export interface ToolAnswer {
  ok: boolean;
  stdout: string;
  /** The tool's own complaint, kept so a refusal can quote it. */
  stderr?: string;
  why?: string;
}

const runTool: ToolRunner = async (binary, args) => {
  const result = await execa(binary, args, { reject: false, timeout: VERSION_QUERY_TIMEOUT_MS, stdin: 'ignore' });
  const why = result.timedOut
    ? 'no answer'
    : result.failed
      ? ((result as { code?: string }).code ?? (result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`))
      : undefined;
  return { ok: !result.failed, stdout: result.stdout, stderr: result.stderr, why };
};

/**
 * QEMU's own complaint, quoted: it names what failed on one line and why on the next ("failed to
 * initialize module: …/ui-opengl.so", "Only modules from the same build can be loaded."); what follows
 * repeats it for other modules. A loader's "version `GLIBC_2.38' not found" is quoted the same way.
 */
function quotedComplaint(answer: ToolAnswer): string {
  const complaint = (answer.stderr ?? '').split('\n').map((line) => line.trim()).filter(Boolean).slice(0, 2).join(' / ');
  return complaint ? `: "${complaint}"` : '';
}

/** A listing QEMU could not finish (it aborted) says nothing about what the build offers: say that it failed, and QEMU's why. */
function listingFailure(qemuBinary: string, qemuVersion: string, listing: string, answer: ToolAnswer): QemuPreflightError {
  return new QemuPreflightError(`QEMU ${qemuBinary} (${qemuVersion}) failed listing its ${listing} (${answer.why ?? 'no output'})${quotedComplaint(answer)}`);
}

export function offeredMachines(help: string): Set<string> {
  return new Set(help.split('\n').slice(1).map((line) => line.trim().split(/\s+/)[0]!).filter(Boolean));
}

export function offeredDevices(help: string): Set<string> {
  return new Set([...help.matchAll(/^name "([^"]+)"/gm)].map((match) => match[1]!));
}

export async function checkQemuBuild(
  qemuBinary: string,
  machine: MachineProfile,
  run: ToolRunner = runTool,
  qemuImg: string = qemuImgBinary(qemuBinary),
): Promise<QemuTools> {
  const version = await run(qemuBinary, ['--version']);
  const qemuVersion = version.stdout.split('\n')[0]?.trim();
  if (!version.ok || !qemuVersion) throw new QemuPreflightError(`QEMU ${qemuBinary} is missing or does not answer --version (${version.why ?? 'no output'})${quotedComplaint(version)}`);

  const machineType = machine.machineArg.split(',')[0]!;
  const machines = await run(qemuBinary, ['-machine', 'help']);
  if (!machines.ok) throw listingFailure(qemuBinary, qemuVersion, 'machine types', machines);
  if (!offeredMachines(machines.stdout).has(machineType)) {
    throw new QemuPreflightError(`QEMU ${qemuBinary} (${qemuVersion}) has no machine type ${machineType}, which the ${machine.name} profile needs`);
  }
  const deviceList = await run(qemuBinary, ['-device', 'help']);
  if (!deviceList.ok) throw listingFailure(qemuBinary, qemuVersion, 'device models', deviceList);
  const devices = offeredDevices(deviceList.stdout);
  const missing = deviceModels(machine).filter((model) => !devices.has(model));
  if (missing.length > 0) throw new QemuPreflightError(`QEMU ${qemuBinary} (${qemuVersion}) lacks the device model ${missing.join(', ')}, which the suites need`);

  const img = await run(qemuImg, ['--version']);
  const qemuImgVersion = img.stdout.split('\n')[0]?.trim();
  if (!img.ok || !qemuImgVersion) {
    const where = qemuImg === 'qemu-img' ? 'on PATH' : `at ${qemuImg}`;
    throw new QemuPreflightError(`no working qemu-img ${where} (${img.why ?? 'no output'}); the VMs' disks are made with it`);
  }
  return { qemuVersion, qemuImg, qemuImgVersion };
}
