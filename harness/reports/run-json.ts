/**
 * run.json: the run record on disk. Reading checks it is one, so a wrong file fails in one line, and
 * converts the older formats step by step: @1 → @2 (each metric's one value becomes its one sample),
 * @2 → @3 (QEMU's environment names become the runtime-neutral ones, QEMU's metric names the neutral
 * ones), so compare pairs an old run's facts and metrics with a new run's. A newer format is refused.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VM_METRICS } from './metric-names.ts';
import { RUN_RECORD_FORMAT, type Metric, type RunEnvironment, type RunRecord } from './run-record.ts';

const FORMAT_PREFIX = 'microvm-gauntlet/run-record@';
const CURRENT_VERSION = Number(RUN_RECORD_FORMAT.slice(FORMAT_PREFIX.length));

export class RunRecordError extends Error {
  override name = 'RunRecordError';
}

export function writeRunJson(record: RunRecord, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

export function readRunJson(file: string): RunRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RunRecordError(`cannot read run record ${file}: ${(error as Error).message}`);
  }
  const format = (parsed as { format?: unknown } | null)?.format;
  const version = typeof format === 'string' && format.startsWith(FORMAT_PREFIX) ? Number(format.slice(FORMAT_PREFIX.length)) : NaN;
  if (version > CURRENT_VERSION) {
    throw new RunRecordError(`${file} is a run record of a newer gauntlet (format ${format}; this one reads up to ${RUN_RECORD_FORMAT}): update gauntlet to read it`);
  }
  if (!(version >= 1 && Number.isInteger(version)) || !Array.isArray((parsed as RunRecord).parts)) {
    throw new RunRecordError(`${file} is not a run record of this version (format ${JSON.stringify(format)}, expected ${FORMAT_PREFIX}1 to @${CURRENT_VERSION})`);
  }
  let record = parsed as RunRecord;
  if (version < 2) record = fromFormat1(record);
  if (version < 3) record = fromFormat2(record);
  return renameMetrics({ ...record, format: RUN_RECORD_FORMAT }, RENAMED_METRICS);
}

interface Format1Metric {
  value: number;
  unit: string;
  better: Metric['better'];
}

function attemptsOf(record: RunRecord) {
  return record.parts.flatMap((part) => part.cases).flatMap((entry) => entry.attempts);
}

/** @1 → @2: each metric's one value becomes its one sample; nothing else changed. */
function fromFormat1(record: RunRecord): RunRecord {
  for (const attempt of attemptsOf(record)) {
    const previous = attempt.metrics as unknown as Record<string, Format1Metric>;
    attempt.metrics = Object.fromEntries(
      Object.entries(previous).map(([name, { value, unit, better }]) => [name, { unit, better, samples: [value] }]),
    );
  }
  return record;
}

/** The environment of @2 and before: QEMU's names for the VMM and its disk tool. */
interface Format2Environment extends Omit<RunEnvironment, 'host'> {
  qemuBinary?: string;
  qemuVersion?: string;
  qemuImg?: string;
  host: RunEnvironment['host'] & { qemuVersion?: string };
}

/** Metric names of @2 that are a runtime's own words, by their neutral names. */
const FORMAT2_METRIC_NAMES: Record<string, string> = { 'QMP connect': VM_METRICS.controlConnect };

/** Metric names renamed within @3 (no change of shape): the bench's raw boot was named after QEMU. */
const RENAMED_METRICS: Record<string, string> = { 'raw QEMU boot to first init line': 'raw VMM boot to first init line' };

function renameMetrics(record: RunRecord, names: Record<string, string>): RunRecord {
  for (const attempt of attemptsOf(record)) {
    attempt.metrics = Object.fromEntries(Object.entries(attempt.metrics).map(([name, metric]) => [names[name] ?? name, metric]));
  }
  return record;
}

/**
 * @2 → @3: every @2 record's local VMM was QEMU (an adapter's own VMM, where it said one, was already
 * `vmm`); its binary, version and qemu-img become vmmBinary, vmmVersion and tools.
 */
function fromFormat2(record: RunRecord): RunRecord {
  for (const part of record.parts) {
    const { qemuBinary, qemuVersion, qemuImg, host, ...rest } = part.environment as Format2Environment;
    const { qemuVersion: _hostQemu, ...hostFacts } = host;
    const inProcess = rest.runtimeAdapter === undefined;
    part.environment = {
      ...rest,
      ...(inProcess && rest.vmm === undefined && { vmm: 'qemu' }),
      ...(inProcess && rest.vmmVersion === undefined && qemuVersion !== undefined && { vmmVersion: qemuVersion }),
      ...(inProcess && qemuBinary !== undefined && { vmmBinary: qemuBinary }),
      ...(qemuImg !== undefined && { tools: { 'qemu-img': qemuImg } }),
      host: hostFacts,
    };
  }
  return renameMetrics(record, FORMAT2_METRIC_NAMES);
}
