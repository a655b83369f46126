import { priceWorkload } from './price';
import { PriceError } from './prices';
import { priceRecommendation } from './recommendation-cost';

const GI = 2 ** 30;

describe('priceRecommendation', () => {
  it('prices current and recommended requests × replicas on every cloud', () => {
    const cost = priceRecommendation({
      cpuRequestMillicores: { current: 1000, recommended: 500 },
      memoryRequestBytes: { current: 2 * GI, recommended: GI },
      replicas: { current: 4, recommended: 3 },
    });
    expect(cost.caveats).toEqual([]);
    expect(cost.current).toEqual({ cpuCores: 1, memoryBytes: 2 * GI, replicas: 4 });
    expect(cost.recommended).toEqual({ cpuCores: 0.5, memoryBytes: GI, replicas: 3 });
    const gcp = cost.comparisons.find((c) => c.cloud === 'gcp')!;
    // 4 × (1000m × 31.611 µ$ + 2 GiB × 4 237 µ$) = 160 340 µ$/h → × 730
    expect(gcp.current.monthly).toBe(117_048_200);
    // 3 × (500m × 31.611 µ$ + 1 GiB × 4 237 µ$) = 60 127.5 µ$/h → × 730 = 43 893 075
    expect(gcp.recommended.monthly).toBe(43_893_075);
    expect(gcp.savings.monthly).toBe(73_155_125);
    const aws = cost.comparisons.find((c) => c.cloud === 'aws')!;
    // 4 × (31 247 101 + 2 × 4 188 225) n$/h × 730 = 115 700 768 920 n$ → 115 700 769 µ$
    expect(aws.current.monthly).toBe(115_700_769);
    // 3 × (15 623 550.5 + 4 188 225) n$/h × 730 = 43 387 788 345 n$ → 43 387 788 µ$
    expect(aws.recommended.monthly).toBe(43_387_788);
  });

  it('keeps the current figure where nothing is recommended (no caveat: the recommendation changes nothing)', () => {
    const cost = priceRecommendation({ cpuRequestMillicores: { current: 250 }, memoryRequestBytes: { current: GI, recommended: GI / 2 }, replicas: { current: 2 } });
    expect(cost.caveats).toEqual([]);
    expect(cost.recommended).toEqual({ cpuCores: 0.25, memoryBytes: GI / 2, replicas: 2 });
  });

  it('takes an unknown current figure to be the recommended one, and says so', () => {
    const cost = priceRecommendation({ cpuRequestMillicores: { recommended: 300 }, memoryRequestBytes: { current: GI, recommended: GI }, replicas: { current: 1, recommended: 1 } });
    expect(cost.current.cpuCores).toBe(0.3);
    expect(cost.caveats).toEqual([
      { resource: 'cpu_request', kind: 'current_assumed', message: 'CPU request: the current figure is unknown; taken to be the recommended 300m, so it adds no saving' },
    ]);
    for (const c of cost.comparisons) expect(c.savings.monthly).toBe(0);
  });

  it('prices what is known when a resource has no figure at all, and says so; never NaN', () => {
    const cost = priceRecommendation({ cpuRequestMillicores: { current: 1000, recommended: 500 } });
    expect(cost.current).toEqual({ cpuCores: 1, memoryBytes: 0, replicas: 1 });
    expect(cost.recommended).toEqual({ cpuCores: 0.5, memoryBytes: 0, replicas: 1 });
    expect(cost.caveats.map((c) => [c.resource, c.kind])).toEqual([['memory_request', 'unknown'], ['replicas', 'unknown']]);
    expect(cost.caveats[1]!.message).toBe('replicas: neither the current nor the recommended figure is known; priced as 1 replica (the figures are per replica)');
    const gcp = cost.comparisons.find((c) => c.cloud === 'gcp')!;
    expect(gcp.current).toEqual(priceWorkload({ cpuCores: 1, memoryBytes: 0, replicas: 1 }, 'gcp'));
    for (const c of cost.comparisons) {
      for (const v of [c.current.monthly, c.recommended.monthly, c.savings.monthly]) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('prices an empty recommendation as zero on every cloud, with three caveats', () => {
    const cost = priceRecommendation({});
    expect(cost.caveats).toHaveLength(3);
    for (const c of cost.comparisons) expect([c.current.monthly, c.recommended.monthly, c.savings.monthly]).toEqual([0, 0, 0]);
  });

  it('prices a workload scaled to zero as nothing', () => {
    const cost = priceRecommendation({ cpuRequestMillicores: { current: 500 }, memoryRequestBytes: { current: GI }, replicas: { current: 0, recommended: 0 } });
    expect(cost.caveats).toEqual([]);
    for (const c of cost.comparisons) expect(c.current.monthly).toBe(0);
  });

  it('names the field of a negative figure', () => {
    let error: unknown;
    try {
      priceRecommendation({ memoryRequestBytes: { current: GI, recommended: -1 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PriceError);
    expect(error).toMatchObject({ reason: 'invalid_workload', message: 'memory_request_bytes.recommended is -1; expected a whole number ≥ 0' });
  });

  it('formats memory in binary units in caveats', () => {
    const cost = priceRecommendation({ memoryRequestBytes: { recommended: 512 * 2 ** 20 }, cpuRequestMillicores: { current: 1 }, replicas: { current: 1 } });
    expect(cost.caveats[0]!.message).toContain('recommended 512Mi');
  });

  it('uses the regions and table it is given', () => {
    const cost = priceRecommendation({ cpuRequestMillicores: { current: 1000 }, replicas: { current: 1 }, memoryRequestBytes: { current: 0 } }, { regions: { gcp: 'us-central1' } });
    expect(cost.comparisons.map((c) => c.region)).toEqual(['us-east-1', 'eastus', 'us-central1']);
  });
});
