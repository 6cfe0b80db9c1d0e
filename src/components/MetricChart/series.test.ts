import type { MetricSeries } from '../../api/types';
import { AGENT_CHARTS, chartLines, formatValue, rate, sumByName } from './series';

describe('self-metric series', () => {
  const series: MetricSeries[] = [
    {
      name: 'prometheus_remote_storage_samples_total',
      labels: { component_id: 'a/x' },
      points: [
        [0, 10],
        [10_000, 30],
        [20_000, 50],
      ] as Array<[number, number]>,
    },
    {
      name: 'prometheus_remote_storage_samples_total',
      labels: { component_id: 'b/y' },
      points: [
        [0, 0],
        [10_000, 10],
        [20_000, 20],
      ] as Array<[number, number]>,
    },
    {
      name: 'process_resident_memory_bytes',
      labels: {},
      points: [
        [0, 1024],
        [10_000, 2048],
      ] as Array<[number, number]>,
    },
  ];

  it('sums components per timestamp', () => {
    expect(sumByName(series, 'prometheus_remote_storage_samples_total')).toEqual([
      [0, 10],
      [10_000, 40],
      [20_000, 70],
    ]);
  });

  it('turns counters into per-second rates and skips resets', () => {
    expect(
      rate([
        [0, 10],
        [10_000, 40],
        [20_000, 5],
        [30_000, 25],
      ]),
    ).toEqual([
      [10_000, 3],
      [30_000, 2],
    ]);
  });

  it('builds chart lines only for metrics the agent has', () => {
    const throughput = AGENT_CHARTS.find((c) => c.title === 'Throughput')!;
    expect(chartLines(throughput, series)).toEqual([
      {
        name: 'samples sent',
        points: [
          [10_000, 3],
          [20_000, 3],
        ],
      },
    ]);
    const memory = AGENT_CHARTS.find((c) => c.title === 'Memory')!;
    expect(chartLines(memory, series)[0].points).toEqual([
      [0, 1024],
      [10_000, 2048],
    ]);
    const queue = AGENT_CHARTS.find((c) => c.title === 'Queue')!;
    expect(chartLines(queue, series)).toEqual([]);
  });

  it('formats values with units', () => {
    expect(formatValue(1536, 'bytes')).toBe('1.5 KiB');
    expect(formatValue(3 * 1024 * 1024, 'bytes')).toBe('3.0 MiB');
    expect(formatValue(1500, 'persec')).toBe('1.5K/s');
    expect(formatValue(0.0213, 'cores')).toBe('0.021 cores');
    expect(formatValue(0.5, 'percentunit')).toBe('50.0%');
  });
});
