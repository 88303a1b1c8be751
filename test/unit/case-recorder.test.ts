import { describe, expect, it } from 'vitest';
import { caseRecorder, recordMetric } from '../../harness/vitest/case-recorder.ts';
import type { Metric, Series } from '../../harness/reports/run-record.ts';

type Task = Parameters<typeof caseRecorder>[0];
type Kept = { metrics?: Record<string, Metric>; series?: Record<string, Series> };

function fakeTask(): Task & { meta: Kept } {
  return { meta: {} } as unknown as Task & { meta: Kept };
}

describe('case recorder', () => {
  it('pools samples of one metric under its name, rates improving upwards and the rest down unless told', () => {
    const task = fakeTask();
    const record = caseRecorder(task);
    record.metric('fill throughput', 120, 'MiB/s');
    record.metric('fill throughput', 118, 'MiB/s');
    recordMetric(task, 'exec round trip', 3, 'ms');
    record.metric('host memory reclaimed', 64, 'MiB', 'higher');
    expect(task.meta.metrics).toEqual({
      'fill throughput': { unit: 'MiB/s', better: 'higher', samples: [120, 118] },
      'exec round trip': { unit: 'ms', better: 'lower', samples: [3] },
      'host memory reclaimed': { unit: 'MiB', better: 'higher', samples: [64] },
    });
  });

  it('replaces a series with its latest points, kept as a copy', () => {
    const task = fakeTask();
    const record = caseRecorder(task);
    const points = [{ atMs: record.elapsedMs(), value: 256 }];
    record.series('balloon actual', 'MiB', points);
    points.push({ atMs: record.elapsedMs(), value: 128 });
    expect(task.meta.series?.['balloon actual']?.points).toHaveLength(1);
    record.series('balloon actual', 'MiB', points);
    expect(task.meta.series).toEqual({ 'balloon actual': { unit: 'MiB', points } });
    expect(points[0]!.atMs).toBeGreaterThanOrEqual(0);
  });
});
