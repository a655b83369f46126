import fc from 'fast-check';
import { EntityMapper, MappingInputSeries } from './entity-mapper';
import { UNMAPPED_REASONS } from './mapping-stats';
import { SOURCE_METRIC_NAMES } from './sources';

const T0 = 1_700_000_100_000;

const LABEL_POOL: Record<string, string[]> = {
  namespace: ['a', 'b'],
  pod: ['p1', 'p2', 'p3'],
  container: ['c1', 'c2', 'POD', ''],
  owner_kind: ['ReplicaSet', 'Job', 'StatefulSet', 'DaemonSet', '<none>', 'Node'],
  owner_name: ['rs1', 'j1', 'w', '<none>'],
  owner_is_controller: ['true', 'false'],
  replicaset: ['rs1'],
  job_name: ['j1'],
  node: ['n1', 'n2'],
  host_ip: ['10.0.0.1'],
  internal_ip: ['10.0.0.1'],
  instance: ['10.0.0.1:9100', 'n1:9100', 'weird', '[fd00::1]:9100'],
  Hostname: ['n2', 'dcgm-x'],
  exported_pod: ['p1'],
  exported_namespace: ['a'],
  mode: ['idle', 'user', 'iowait', 'steal'],
  cpu: ['total', '0'],
  resource: ['cpu', 'memory', 'pods'],
  unit: ['core', 'byte', 'integer'],
  reason: ['OOMKilled', 'Error'],
  consumergroup: ['g1', 'g2'],
  topic: ['t1', 't2'],
  partition: ['0', '1'],
  cluster: ['c1', 'c2'],
  deployment: ['w'],
  statefulset: ['w'],
  daemonset: ['w'],
  created_by_kind: ['StatefulSet', '<none>'],
  created_by_name: ['w'],
};

const labelsArb = fc
  .subarray(Object.keys(LABEL_POOL), { minLength: 0, maxLength: 10 })
  .chain((names) => fc.tuple(...names.map((n) => fc.constantFrom(...LABEL_POOL[n]).map((value) => ({ name: n, value })))))
  .map((ls) => ls.filter((l) => l.value !== ''));

const timestampArb = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: -120, max: 120 }).map((i) => T0 + i * 15_000) },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, 2 ** 60, NaN, 1.5) },
);

const valueArb = fc.oneof(
  { weight: 10, arbitrary: fc.double({ min: -10, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 1e308, Number.MIN_VALUE) },
);

/** The labels each source needs, so that generated series often map (and sometimes lack one). */
const REQUIRED: [RegExp, string[]][] = [
  [/^container_/, ['namespace', 'pod', 'container']],
  [/^kube_pod_owner$/, ['namespace', 'pod', 'owner_kind', 'owner_name']],
  [/^kube_pod_info$/, ['namespace', 'pod', 'node', 'host_ip', 'created_by_kind', 'created_by_name']],
  [/^kube_replicaset_owner$/, ['namespace', 'replicaset', 'owner_kind', 'owner_name']],
  [/^kube_job_owner$/, ['namespace', 'job_name', 'owner_kind', 'owner_name']],
  [/^kube_node_info$/, ['node', 'internal_ip']],
  [/^kube_node_status_allocatable$/, ['node', 'resource', 'unit']],
  [/^kube_pod_container_resource_(requests|limits)$/, ['namespace', 'pod', 'container', 'resource', 'unit']],
  [/^kube_pod_container_/, ['namespace', 'pod', 'container', 'reason']],
  [/^kube_(deployment|statefulset|daemonset)_/, ['namespace', 'deployment', 'statefulset', 'daemonset']],
  [/^node_/, ['instance', 'mode', 'cpu']],
  [/^DCGM_/, ['namespace', 'pod', 'Hostname']],
  [/^kafka_/, ['consumergroup', 'topic', 'partition']],
];

const randomSamplesArb = fc.array(fc.record({ timestampMs: timestampArb, value: valueArb, stale: fc.boolean() }), { maxLength: 6 }).map((ss) => ss.sort((x, y) => x.timestampMs - y.timestampMs));

/** Regular scrapes of a counter-like series, with an occasional reset or stale marker. */
const scrapesArb = fc
  .record({ start: fc.integer({ min: -40, max: 200 }), n: fc.integer({ min: 1, max: 8 }), every: fc.constantFrom(1, 2), base: fc.double({ min: 0, max: 1e4, noNaN: true }), incs: fc.array(fc.double({ min: -50, max: 100, noNaN: true }), { minLength: 8, maxLength: 8 }), staleAt: fc.integer({ min: -1, max: 8 }) })
  .map(({ start, n, every, base, incs, staleAt }) => {
    let v = base;
    return Array.from({ length: n }, (_, i) => {
      v = incs[i] < -40 ? 0 : v + Math.abs(incs[i]);
      return { timestampMs: T0 + (start + i * every) * 15_000, value: i === staleAt ? NaN : v, stale: i === staleAt };
    });
  });

const coherentSeriesArb: fc.Arbitrary<MappingInputSeries> = fc.constantFrom(...SOURCE_METRIC_NAMES).chain((metricName) => {
  const required = REQUIRED.find(([re]) => re.test(metricName))?.[1] ?? [];
  return fc.record({
    metricName: fc.constant(metricName),
    labels: fc.tuple(...required.map((n) => fc.option(fc.constantFrom(...LABEL_POOL[n].filter((v) => v !== '')), { freq: 10 }).map((value) => (value === null ? undefined : { name: n, value }))), labelsArb).map(([...parts]) => {
      const extra = parts.pop() as { name: string; value: string }[];
      const req = (parts as ({ name: string; value: string } | undefined)[]).filter((l): l is { name: string; value: string } => l !== undefined);
      const names = new Set(req.map((l) => l.name));
      return [...req, ...extra.filter((l) => !names.has(l.name))];
    }),
    samples: fc.oneof({ weight: 3, arbitrary: scrapesArb }, { weight: 1, arbitrary: randomSamplesArb }),
  });
});

const seriesArb: fc.Arbitrary<MappingInputSeries> = fc.oneof(
  { weight: 3, arbitrary: coherentSeriesArb },
  {
    weight: 1,
    arbitrary: fc.record({
      metricName: fc.constantFrom(...SOURCE_METRIC_NAMES, 'up', 'constructor', '__proto__', 'namespace_workload:container_cpu_usage_seconds_total:sum_rate'),
      labels: labelsArb,
      samples: randomSamplesArb,
    }),
  },
);

const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), tenant: fc.constantFrom('t1', 't2'), series: fc.array(seriesArb, { maxLength: 12 }) }),
  fc.record({ kind: fc.constant('flush' as const), now: fc.integer({ min: -60, max: 240 }).map((i) => T0 + i * 15_000) }),
);

const optionsArb = fc.record({
  stepMs: fc.constantFrom(60_000, 300_000),
  closeDelayMs: fc.integer({ min: 0, max: 120_000 }),
  maxSampleGapMs: fc.integer({ min: 1, max: 600_000 }),
  ownerTtlMs: fc.integer({ min: 1, max: 1_800_000 }),
  maxOwnerEntries: fc.integer({ min: 1, max: 20 }),
  maxSeries: fc.integer({ min: 1, max: 40 }),
  pendingHoldMs: fc.integer({ min: 1, max: 300_000 }),
  maxPendingSamples: fc.integer({ min: 1, max: 30 }),
  maxOpenEntities: fc.integer({ min: 1, max: 10 }),
  maxOpenStepsPerEntity: fc.integer({ min: 1, max: 4 }),
  maxTopics: fc.integer({ min: 1, max: 5 }),
  maxGroupsPerTopic: fc.integer({ min: 1, max: 3 }),
});

describe('EntityMapper properties', () => {
  it('never throws, never emits a non-finite value, stays within its caps, and accounts for every sample', () => {
    fc.assert(
      fc.property(optionsArb, fc.array(stepArb, { maxLength: 12 }), (options, steps) => {
        const m = new EntityMapper({ defaultCluster: 'prod', ...options });
        let samplesIn = 0;
        let accounted = 0;
        const check = (r: ReturnType<EntityMapper['flush']>) => {
          samplesIn += r.stats.samplesIn;
          accounted += r.stats.used + UNMAPPED_REASONS.reduce((n, reason) => n + r.stats.unmapped[reason], 0);
          for (const s of r.samples) {
            expect(Number.isFinite(s.value)).toBe(true);
            expect(Number.isFinite(s.timestampMs)).toBe(true);
            expect(s.timestampMs % options.stepMs === 0).toBe(true); // aligned to the grid (-0 for negative times)
          }
          expect(r.stats.held).toBeGreaterThanOrEqual(0);
          const size = m.sizes();
          expect(size.series).toBeLessThanOrEqual(options.maxSeries);
          expect(size.pods).toBeLessThanOrEqual(options.maxOwnerEntries);
          expect(size.openEntities).toBeLessThanOrEqual(options.maxOpenEntities);
          expect(size.pendingSamples).toBeLessThanOrEqual(options.maxPendingSamples);
          expect(size.topics).toBeLessThanOrEqual(options.maxTopics);
        };
        for (const step of steps) check(step.kind === 'write' ? m.ingest(step.tenant, step.series) : m.flush(step.now));
        const last = m.flush(Infinity);
        check(last);
        expect(last.stats.held).toBe(0);
        expect(accounted).toBe(samplesIn);
      }),
      { numRuns: 300 },
    );
  });
});
