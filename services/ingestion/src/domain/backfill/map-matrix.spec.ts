import { EntityKind } from '@prescient/contracts';
import { DEFAULT_ENTITY_MAPPINGS, matrixToBatches } from './map-matrix';

const series = (labels: Record<string, string>, points: [number, number][]) => ({ labels: new Map(Object.entries(labels)), samples: points.map(([timestampMs, value]) => ({ timestampMs, value })) });

describe('matrixToBatches', () => {
  const base = { tenant: 'acme', cluster: 'prod', metric: 'cpu_usage_cores', mapping: DEFAULT_ENTITY_MAPPINGS.workload, maxSamplesPerBatch: 1000 };

  it('maps kube-prometheus workload labels to the Workload entity, kind in PascalCase, cluster label first', () => {
    const out = matrixToBatches(base, [
      series({ namespace: 'shop', workload: 'api', workload_type: 'deployment' }, [[1, 0.5]]),
      series({ namespace: 'shop', workload: 'db', workload_type: 'statefulset', cluster: 'eu' }, [[1, 2]]),
      series({ namespace: 'shop' }, [[1, 1]]),
    ]);
    expect(out.batches.map((b) => b.entity)).toEqual([
      { tenant: 'acme', kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', name: 'api' },
      { tenant: 'acme', kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'eu', namespace: 'shop', workloadKind: 'StatefulSet', name: 'db' },
    ]);
    expect(out.unmappedSeries).toBe(1);
    expect(out.samples).toBe(2);
  });

  it('sums series of one entity per timestamp (as sum by would), in time order', () => {
    const out = matrixToBatches(base, [
      series({ namespace: 'n', workload: 'w', workload_type: 'deployment', pod: 'a' }, [[2, 1], [1, 1]]),
      series({ namespace: 'n', workload: 'w', workload_type: 'Deployment', pod: 'b' }, [[2, 3], [3, 3]]),
    ]);
    expect(out.batches).toHaveLength(1);
    expect(out.batches[0].samples).toEqual([{ timestampMs: 1, value: 1 }, { timestampMs: 2, value: 4 }, { timestampMs: 3, value: 3 }]);
    expect(out.mergedSeries).toBe(1);
    expect(matrixToBatches({ ...base, combine: 'max' }, [series({ namespace: 'n', workload: 'w', workload_type: 'job' }, [[1, 1]]), series({ namespace: 'n', workload: 'w', workload_type: 'job' }, [[1, 5]])]).batches[0].samples).toEqual([{ timestampMs: 1, value: 5 }]);
  });

  it('splits an entity\'s samples into batches of at most maxSamplesPerBatch', () => {
    const points = Array.from({ length: 25 }, (_, i) => [i, i] as [number, number]);
    const out = matrixToBatches({ ...base, maxSamplesPerBatch: 10 }, [series({ namespace: 'n', workload: 'w', workload_type: 'deployment' }, points)]);
    expect(out.batches.map((b) => b.samples.length)).toEqual([10, 10, 5]);
    expect(out.batches[2].samples[4]).toEqual({ timestampMs: 24, value: 24 });
  });

  it('maps nodes, namespaces and consumer groups', () => {
    const one = (mapping: (typeof DEFAULT_ENTITY_MAPPINGS)[keyof typeof DEFAULT_ENTITY_MAPPINGS], labels: Record<string, string>) => matrixToBatches({ ...base, mapping }, [series(labels, [[1, 1]])]).batches[0]?.entity;
    expect(one(DEFAULT_ENTITY_MAPPINGS.node, { node: 'n1' })).toMatchObject({ kind: EntityKind.ENTITY_KIND_NODE, name: 'n1', cluster: 'prod' });
    expect(one(DEFAULT_ENTITY_MAPPINGS.namespace, { namespace: 'shop' })).toMatchObject({ kind: EntityKind.ENTITY_KIND_NAMESPACE, namespace: 'shop' });
    expect(one(DEFAULT_ENTITY_MAPPINGS.consumer_group, { consumergroup: 'billing' })).toMatchObject({ kind: EntityKind.ENTITY_KIND_CONSUMER_GROUP, name: 'billing' });
    expect(one(DEFAULT_ENTITY_MAPPINGS.node, { instance: 'x' })).toBeUndefined();
  });
});
