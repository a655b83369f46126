import { EntityKind, METRICS } from '@prescient/contracts';
import { EntityMappingCache, seriesToEntities } from './series-to-entities';

const labels = (extra: Record<string, string>) => Object.entries(extra).map(([name, value]) => ({ name, value }));
const cpu = 'namespace_workload:container_cpu_usage_seconds_total:sum_rate';
const mem = 'namespace_workload:container_memory_working_set_bytes:sum';

describe('seriesToEntities', () => {
  it('groups the CPU and memory series of one workload into one batch, in time order', () => {
    const wl = labels({ namespace: 'shop', workload: 'api', workload_type: 'deployment' });
    const result = seriesToEntities('acme', 'prod', [
      { metricName: cpu, labels: wl, samples: [{ timestampMs: 2000, value: 0.5 }, { timestampMs: 1000, value: 0.4 }] },
      { metricName: mem, labels: wl, samples: [{ timestampMs: 1000, value: 1e9 }] },
    ]);
    expect(result.batches).toHaveLength(1);
    expect(result.batches[0].entity).toEqual({ tenant: 'acme', kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', name: 'api' });
    expect(result.batches[0].series).toEqual([
      { metric: METRICS.cpuUsageCores, samples: [{ timestampMs: 1000, value: 0.4 }, { timestampMs: 2000, value: 0.5 }] },
      { metric: METRICS.memoryWorkingSetBytes, samples: [{ timestampMs: 1000, value: 1e9 }] },
    ]);
    expect(result.acceptedSamples).toBe(3);
  });

  it.each([
    ['an unknown metric', { metricName: 'up', labels: labels({ namespace: 'a', workload: 'b', workload_type: 'deployment' }) }],
    ['a series without a workload label', { metricName: cpu, labels: labels({ namespace: 'a', workload_type: 'deployment' }) }],
    ['a series without a namespace', { metricName: cpu, labels: labels({ workload: 'b', workload_type: 'deployment' }) }],
  ])('counts %s as unmapped', (_, s) => {
    const result = seriesToEntities('acme', 'prod', [{ ...s, samples: [{ timestampMs: 1, value: 1 }] }]);
    expect(result).toMatchObject({ batches: [], unmappedSeries: 1, acceptedSamples: 0 });
  });

  it('drops non-finite values (NaN, stale markers, ±Inf) and counts them', () => {
    const wl = labels({ namespace: 'a', workload: 'b', workload_type: 'statefulset', cluster: 'eu' });
    const result = seriesToEntities('acme', 'prod', [
      { metricName: cpu, labels: wl, samples: [{ timestampMs: 1, value: NaN }, { timestampMs: 2, value: Infinity }, { timestampMs: 3, value: 1 }] },
    ]);
    expect(result.droppedSamples).toBe(2);
    expect(result.batches[0].entity.cluster).toBe('eu');
    expect(result.batches[0].entity.workloadKind).toBe('StatefulSet');
  });
});

describe('seriesToEntities for consumer groups', () => {
  it('maps production, consumption and lag of one group into one batch', () => {
    const group = labels({ consumergroup: 'billing', cluster: 'eu' });
    const result = seriesToEntities('acme', 'prod', [
      { metricName: 'consumergroup:kafka_topic_partition_current_offset:sum_rate', labels: group, samples: [{ timestampMs: 1, value: 100 }] },
      { metricName: 'consumergroup:kafka_consumergroup_lag:sum', labels: group, samples: [{ timestampMs: 1, value: 5000 }] },
    ]);
    expect(result.batches).toHaveLength(1);
    expect(result.batches[0].entity).toEqual({ tenant: 'acme', kind: EntityKind.ENTITY_KIND_CONSUMER_GROUP, cluster: 'eu', namespace: '', workloadKind: '', name: 'billing' });
    expect(result.batches[0].series.map((s) => s.metric)).toEqual([METRICS.kafkaProductionRate, METRICS.kafkaLag]);
  });

  it('counts a group series without a consumergroup label as unmapped', () => {
    const result = seriesToEntities('acme', 'prod', [{ metricName: 'consumergroup:kafka_consumergroup_lag:sum', labels: labels({ topic: 'x' }), samples: [{ timestampMs: 1, value: 1 }] }]);
    expect(result.unmappedSeries).toBe(1);
  });
});

describe('seriesToEntities with a mapping cache', () => {
  const wl = Object.freeze(labels({ namespace: 'shop', workload: 'api', workload_type: 'deployment' }));
  const up = Object.freeze(labels({ job: 'x' }));
  const request = (t: number) => [
    { metricName: cpu, labels: wl, samples: [{ timestampMs: t, value: 0.5 }] },
    { metricName: 'up', labels: up, samples: [{ timestampMs: t, value: 1 }] },
  ];

  it('maps a label set once and gives the same batches as without the cache', () => {
    const cache = new EntityMappingCache();
    const first = seriesToEntities('acme', 'prod', request(1000), cache);
    const second = seriesToEntities('acme', 'prod', request(2000), cache);
    expect(second.batches[0].identity).toBe(first.batches[0].identity);
    const strip = (r: ReturnType<typeof seriesToEntities>) => ({ ...r, batches: r.batches.map(({ entity, series }) => ({ entity, series })) });
    expect(strip(second)).toEqual(strip(seriesToEntities('acme', 'prod', request(2000))));
    expect(second.unmappedSeries).toBe(1);
  });

  it('keeps tenants and default clusters apart', () => {
    const cache = new EntityMappingCache();
    const a = seriesToEntities('acme', 'prod', request(1), cache);
    const b = seriesToEntities('other', 'prod', request(1), cache);
    const c = seriesToEntities('acme', 'staging', request(1), cache);
    expect(a.batches[0].entity.tenant).toBe('acme');
    expect(b.batches[0].entity.tenant).toBe('other');
    expect(c.batches[0].entity.cluster).toBe('staging');
  });

  it('drops and counts timestamps before 1970 or past 2^53 ms, which no entity batch can carry', () => {
    const result = seriesToEntities('acme', 'prod', [
      { metricName: cpu, labels: wl, samples: [{ timestampMs: -5, value: 1 }, { timestampMs: 2 ** 60, value: 1 }, { timestampMs: 7, value: 2 }] },
    ]);
    expect(result).toMatchObject({ invalidTimestamps: 2, droppedSamples: 0, acceptedSamples: 1 });
    expect(result.batches[0].series[0].samples).toEqual([{ timestampMs: 7, value: 2 }]);
  });
});
