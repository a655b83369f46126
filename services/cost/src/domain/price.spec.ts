import { compareCurrentToRecommended, formatUsd, HOURS_PER_MONTH, microUsdToUsd, priceWorkload, type WorkloadResources } from './price';
import { DEFAULT_PRICE_TABLE, PriceError, type PriceTable } from './prices';

const GI = 2 ** 30;

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PriceError) return e.reason;
    throw e;
  }
  return undefined;
}

describe('priceWorkload', () => {
  it('prices 1 core + 4 GiB on GCP at the published N2 rates, in integer micro-dollars', () => {
    const p = priceWorkload({ cpuCores: 1, memoryBytes: 4 * GI, replicas: 1 }, 'gcp');
    expect(p).toEqual({ cloud: 'gcp', region: 'us-central1', hourly: 48_559, monthly: 48_559 * 730, currency: 'USD' });
    expect(HOURS_PER_MONTH).toBe(730);
  });

  it.each([
    ['aws', 192_000],
    ['azure', 192_000],
    ['gcp', 194_236],
  ] as const)('prices the reference instance shape on %s at its list price', (cloud, hourly) => {
    const p = priceWorkload({ cpuCores: 4, memoryBytes: 16 * GI, replicas: 1 }, cloud);
    expect(p.hourly).toBe(hourly);
  });

  it('scales with replicas', () => {
    const one = priceWorkload({ cpuCores: 0.5, memoryBytes: 512 * 2 ** 20, replicas: 1 }, 'aws');
    const three = priceWorkload({ cpuCores: 0.5, memoryBytes: 512 * 2 ** 20, replicas: 3 }, 'aws');
    expect(Math.abs(three.hourly - 3 * one.hourly)).toBeLessThanOrEqual(1);
  });

  it('prices the month from the exact hourly amount, rounding once', () => {
    const p = priceWorkload({ cpuCores: 0.001, memoryBytes: 0, replicas: 1 }, 'gcp'); // 31.611 µ$/h
    expect(p.hourly).toBe(32);
    expect(p.monthly).toBe(23_076); // 31.611 × 730 = 23 076.03, not 32 × 730
  });

  it.each([
    ['0.1 + 0.2 cores is 300m', 0.1 + 0.2, 0.3],
    ['a fraction of a millicore rounds up', 0.0001, 0.001],
  ])('%s', (_name, cores, asCores) => {
    const a = priceWorkload({ cpuCores: cores, memoryBytes: 0, replicas: 1 }, 'gcp');
    const b = priceWorkload({ cpuCores: asCores, memoryBytes: 0, replicas: 1 }, 'gcp');
    expect(a).toEqual(b);
  });

  it('is zero for zero replicas or zero resources', () => {
    expect(priceWorkload({ cpuCores: 4, memoryBytes: GI, replicas: 0 }, 'aws').monthly).toBe(0);
    expect(priceWorkload({ cpuCores: 0, memoryBytes: 0, replicas: 5 }, 'azure').monthly).toBe(0);
  });

  it.each<[string, WorkloadResources]>([
    ['NaN CPU', { cpuCores: Number.NaN, memoryBytes: 0, replicas: 1 }],
    ['negative CPU', { cpuCores: -1, memoryBytes: 0, replicas: 1 }],
    ['infinite memory', { cpuCores: 1, memoryBytes: Number.POSITIVE_INFINITY, replicas: 1 }],
    ['negative memory', { cpuCores: 1, memoryBytes: -1, replicas: 1 }],
    ['fractional replicas', { cpuCores: 1, memoryBytes: 0, replicas: 1.5 }],
    ['negative replicas', { cpuCores: 1, memoryBytes: 0, replicas: -1 }],
  ])('refuses %s', (_name, w) => {
    expect(reasonOf(() => priceWorkload(w, 'aws'))).toBe('invalid_workload');
  });

  it('refuses amounts beyond 2^53 micro-dollars instead of losing precision', () => {
    expect(reasonOf(() => priceWorkload({ cpuCores: 1e6, memoryBytes: 0, replicas: 1e9 }, 'gcp'))).toBe('amount_too_large');
  });

  it('refuses unknown regions and clouds', () => {
    expect(reasonOf(() => priceWorkload({ cpuCores: 1, memoryBytes: 0, replicas: 1 }, 'gcp', 'mars-north1'))).toBe('unknown_region');
    expect(reasonOf(() => priceWorkload({ cpuCores: 1, memoryBytes: 0, replicas: 1 }, 'oracle' as 'gcp'))).toBe('unknown_cloud');
  });

  it('uses an overriding table', () => {
    const table = JSON.parse(JSON.stringify(DEFAULT_PRICE_TABLE)) as PriceTable;
    table.clouds.gcp.regions['us-central1']!.unitPricesUsd = { vcpuHour: '0.05', gibHour: '0' };
    expect(priceWorkload({ cpuCores: 2, memoryBytes: GI, replicas: 1 }, 'gcp', undefined, table).hourly).toBe(100_000);
  });
});

describe('compareCurrentToRecommended', () => {
  const current = { cpuCores: 1, memoryBytes: 2 * GI, replicas: 4 };
  const recommended = { cpuCores: 0.5, memoryBytes: GI, replicas: 4 };

  it('prices both on every cloud and reports savings', () => {
    const rows = compareCurrentToRecommended(current, recommended);
    expect(rows.map((r) => [r.cloud, r.region])).toEqual([
      ['aws', 'us-east-1'],
      ['azure', 'eastus'],
      ['gcp', 'us-central1'],
    ]);
    const gcp = rows[2]!;
    expect(gcp.current.hourly).toBe(4 * (31_611 + 2 * 4_237));
    expect(gcp.recommended.hourly).toBe(80_170); // 4 × (500m × 31.611 µ$/m + 1 GiB × 4 237 µ$)
    expect(gcp.savings).toEqual({ hourly: gcp.current.hourly - gcp.recommended.hourly, monthly: gcp.current.monthly - gcp.recommended.monthly });
    for (const r of rows) expect(r.savings.monthly).toBeGreaterThan(0);
  });

  it('reports negative savings when the recommendation costs more', () => {
    const rows = compareCurrentToRecommended(recommended, current);
    for (const r of rows) expect(r.savings.hourly).toBeLessThan(0);
  });

  it('takes a region per cloud', () => {
    const table = JSON.parse(JSON.stringify(DEFAULT_PRICE_TABLE)) as PriceTable;
    table.clouds.azure.regions.westeurope = table.clouds.azure.regions.eastus!;
    const rows = compareCurrentToRecommended(current, recommended, { table, regions: { azure: 'westeurope' } });
    expect(rows[1]!.region).toBe('westeurope');
    expect(rows[0]!.region).toBe('us-east-1');
  });
});

describe('money formatting', () => {
  it.each([
    [48_559, 2, '$0.05'],
    [1_234_567_890, 2, '$1,234.57'],
    [-2_500_000, 2, '-$2.50'],
    [-4, 2, '$0.00'],
    [48_559, 6, '$0.048559'],
    [1_500_000, 0, '$2'],
  ])('formatUsd(%p, %p) = %p', (micros, decimals, text) => expect(formatUsd(micros, decimals)).toBe(text));

  it('converts to dollars for proto doubles', () => {
    expect(microUsdToUsd(35_448_070)).toBe(35.44807);
  });
});
