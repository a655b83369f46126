import { DEFAULT_PRICE_TABLE, divRound, parseDecimal, parsePriceTable, PriceError, unitRates, type PriceTable } from './prices';

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof PriceError) return e.reason;
    throw e;
  }
  return undefined;
}

const clone = (): PriceTable => JSON.parse(JSON.stringify(DEFAULT_PRICE_TABLE)) as PriceTable;

describe('unitRates', () => {
  it('uses GCP N2 published component prices as they are', () => {
    expect(unitRates(DEFAULT_PRICE_TABLE, 'gcp')).toEqual({
      cloud: 'gcp',
      region: 'us-central1',
      instanceType: 'n2-standard-4',
      vcpuHourNanoUsd: 31_611_000n,
      gibHourNanoUsd: 4_237_000n,
      derivation: 'published',
    });
  });

  it('GCP component prices add up to the listed n2-standard-4 price exactly', () => {
    const r = unitRates(DEFAULT_PRICE_TABLE, 'gcp');
    expect(4n * r.vcpuHourNanoUsd + 16n * r.gibHourNanoUsd).toBe(parseDecimal('0.194236', 9));
  });

  it.each([
    ['aws', 'us-east-1', 'm6i.xlarge'],
    ['azure', 'eastus', 'Standard_D4s_v5'],
  ] as const)('splits %s %s %s ($0.192/h, 4 vCPU, 16 GiB) with the N2 ratio', (cloud, region, instanceType) => {
    const r = unitRates(DEFAULT_PRICE_TABLE, cloud);
    expect(r).toMatchObject({ region, instanceType, derivation: 'split', vcpuHourNanoUsd: 31_247_101n, gibHourNanoUsd: 4_188_225n });
    const recomposed = 4n * r.vcpuHourNanoUsd + 16n * r.gibHourNanoUsd;
    expect(Number(recomposed - 192_000_000n)).toBeLessThanOrEqual(10); // rounding to nano-dollars only
    expect(Number(4n * r.vcpuHourNanoUsd) / 192e6).toBeCloseTo(0.651, 3); // the stated 65.1% vCPU share
  });

  it('honours an explicit region and refuses unknown ones', () => {
    expect(unitRates(DEFAULT_PRICE_TABLE, 'aws', 'us-east-1').region).toBe('us-east-1');
    expect(reasonOf(() => unitRates(DEFAULT_PRICE_TABLE, 'aws', 'eu-west-1'))).toBe('unknown_region');
    expect(reasonOf(() => unitRates(DEFAULT_PRICE_TABLE, 'aws', '__proto__'))).toBe('unknown_region');
    expect(reasonOf(() => unitRates(DEFAULT_PRICE_TABLE, 'ibm' as 'aws'))).toBe('unknown_cloud');
  });
});

describe('parsePriceTable', () => {
  it('accepts the default table as JSON', () => {
    expect(parsePriceTable(clone())).toEqual(DEFAULT_PRICE_TABLE);
  });

  it('lets a user override a price and add a region', () => {
    const t = clone();
    t.clouds.aws.regions['eu-west-1'] = {
      instance: { ...t.clouds.aws.regions['us-east-1']!.instance, hourlyUsd: '0.214' },
    };
    const parsed = parsePriceTable(t);
    const r = unitRates(parsed, 'aws', 'eu-west-1');
    expect(Number(4n * r.vcpuHourNanoUsd + 16n * r.gibHourNanoUsd)).toBeCloseTo(214_000_000, -2);
  });

  it.each<[string, (t: PriceTable & Record<string, unknown>) => void, RegExp]>([
    ['a missing cloud', (t) => delete (t.clouds as Partial<PriceTable['clouds']>).gcp, /clouds\.gcp/],
    ['a price with a comma', (t) => (t.clouds.aws.regions['us-east-1']!.instance.hourlyUsd = '0,192'), /hourlyUsd/],
    ['a negative price', (t) => (t.clouds.aws.regions['us-east-1']!.instance.hourlyUsd = '-1'), /hourlyUsd/],
    ['a price as a number', (t) => ((t.clouds.aws.regions['us-east-1']!.instance as unknown as { hourlyUsd: number }).hourlyUsd = 0.192), /hourlyUsd/],
    ['too many decimals', (t) => (t.split.vcpuHourUsd = '0.0000000001'), /split\.vcpuHourUsd/],
    ['zero vCPU', (t) => (t.clouds.azure.regions.eastus!.instance.vcpu = 0), /vcpu/],
    ['NaN memory', (t) => (t.clouds.azure.regions.eastus!.instance.memoryGiB = Number.NaN), /memoryGiB/],
    ['a default region that is not listed', (t) => (t.clouds.gcp.defaultRegion = 'europe-west1'), /defaultRegion/],
    ['both reference prices zero', (t) => Object.assign(t.split, { vcpuHourUsd: '0', gibHourUsd: '0' }), /split/],
  ])('refuses %s, naming the path', (_name, mutate, path) => {
    const t = clone() as PriceTable & Record<string, unknown>;
    mutate(t);
    let error: unknown;
    try {
      parsePriceTable(t);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PriceError);
    expect((error as PriceError).reason).toBe('invalid_price_table');
    expect((error as PriceError).message).toMatch(path);
  });

  it('refuses a region named __proto__ (from JSON) instead of losing it to the prototype', () => {
    const json = JSON.stringify(DEFAULT_PRICE_TABLE).replace('"us-east-1":{', '"__proto__":{').replace('"defaultRegion":"us-east-1"', '"defaultRegion":"__proto__"');
    let error: unknown;
    try {
      parsePriceTable(JSON.parse(json));
    } catch (e) {
      error = e;
    }
    expect((error as PriceError).reason).toBe('invalid_price_table');
    expect((error as PriceError).message).toMatch(/clouds\.aws\.regions\.__proto__/);
  });

  it.each([[null], [[]], ['table'], [42]])('refuses %p at the root', (input) => {
    expect(reasonOf(() => parsePriceTable(input))).toBe('invalid_price_table');
  });
});

describe('parseDecimal / divRound', () => {
  it.each([
    ['0.192', 9, 192_000_000n],
    ['0.194236', 9, 194_236_000n],
    ['12', 3, 12_000n],
    ['0.5', 3, 500n],
  ])('parseDecimal(%p, %p) = %p', (text, digits, out) => expect(parseDecimal(text, digits)).toBe(out));

  it.each([['1e-3'], ['-1'], [''], ['.5'], ['1.'], ['0.1234'], [' 1']])('parseDecimal(%p, 3) refuses', (text) => {
    expect(reasonOf(() => parseDecimal(text, 3))).toBe('invalid_price_table');
  });

  it.each([
    [5n, 2n, 3n],
    [4n, 3n, 1n],
    [0n, 7n, 0n],
  ])('divRound(%p, %p) = %p (half up)', (n, d, out) => expect(divRound(n, d)).toBe(out));
});
