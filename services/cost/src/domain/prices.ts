// On-demand list prices, as data. Each cloud's per-vCPU-hour and per-GiB-hour rate is derived from one
// general-purpose instance (Linux, on-demand, no discounts) so all three are priced on the same footing.
//
// PROVENANCE: the figures below were written down from public list-pricing pages as remembered by the
// author, NOT fetched or re-checked against the live pages when this file was written. They are the
// long-standing list prices of these instances (unchanged through 2024, to our knowledge). Check them
// against the named pages before quoting money to anyone, and override them through `parsePriceTable`
// (e.g. from a JSON file) rather than by editing code.

export type Cloud = 'aws' | 'azure' | 'gcp';
export const CLOUDS: readonly Cloud[] = ['aws', 'azure', 'gcp'];

/** A USD amount as a plain decimal string, exactly as the price page prints it (at most 9 decimals). */
export type UsdDecimal = string;

export interface InstanceListPrice {
  instanceType: string;
  vcpu: number;
  memoryGiB: number;
  /** On-demand hourly list price (Linux), USD. */
  hourlyUsd: UsdDecimal;
  /** The page the figure comes from. */
  source: string;
  /** When the figure is from, and how it was obtained. */
  asOf: string;
}

export interface RegionPricing {
  instance: InstanceListPrice;
  /** Per-vCPU and per-GiB hourly prices, when the provider publishes them (GCP does); otherwise the
   * instance price is split with the table's `split` ratio. */
  unitPricesUsd?: { vcpuHour: UsdDecimal; gibHour: UsdDecimal };
}

export interface CloudPricing {
  defaultRegion: string;
  regions: Record<string, RegionPricing>;
}

export interface PriceTable {
  /**
   * How an instance price is split into a vCPU part and a memory part: the ratio of these two reference
   * prices (one vCPU-hour : one GiB-hour). Default: GCP N2's published component prices, $0.031611 per
   * vCPU-hour and $0.004237 per GiB-hour, a ratio of about 7.46 : 1 (to our recollection OpenCost uses
   * the same pair as its default). For a 1 vCPU : 4 GiB instance this puts 65.1% of the price on vCPU
   * and 34.9% on memory.
   */
  split: { vcpuHourUsd: UsdDecimal; gibHourUsd: UsdDecimal; source: string };
  clouds: Record<Cloud, CloudPricing>;
}

export const DEFAULT_PRICE_TABLE: PriceTable = {
  split: {
    vcpuHourUsd: '0.031611',
    gibHourUsd: '0.004237',
    source: 'Google Cloud "VM instance pricing", N2 predefined vCPU and memory, us-central1',
  },
  clouds: {
    aws: {
      defaultRegion: 'us-east-1',
      regions: {
        'us-east-1': {
          instance: {
            instanceType: 'm6i.xlarge',
            vcpu: 4,
            memoryGiB: 16,
            hourlyUsd: '0.192',
            source: 'Amazon EC2 On-Demand Pricing (aws.amazon.com/ec2/pricing/on-demand), Linux, US East (N. Virginia)',
            asOf: '2024, from memory of the public page; not re-fetched',
          },
        },
      },
    },
    azure: {
      defaultRegion: 'eastus',
      regions: {
        eastus: {
          instance: {
            instanceType: 'Standard_D4s_v5',
            vcpu: 4,
            memoryGiB: 16,
            hourlyUsd: '0.192',
            source: 'Azure "Linux Virtual Machines Pricing" (azure.microsoft.com/pricing/details/virtual-machines/linux), pay as you go, East US',
            asOf: '2024, from memory of the public page; not re-fetched',
          },
        },
      },
    },
    gcp: {
      defaultRegion: 'us-central1',
      regions: {
        'us-central1': {
          instance: {
            instanceType: 'n2-standard-4',
            vcpu: 4,
            // Google's pages say "GB" for memory and define 1 GB as 2^30 bytes, i.e. GiB.
            memoryGiB: 16,
            hourlyUsd: '0.194236',
            source: 'Google Cloud "VM instance pricing" (cloud.google.com/compute/vm-instance-pricing), on-demand, Iowa (us-central1)',
            asOf: '2024, from memory of the public page; not re-fetched',
          },
          unitPricesUsd: { vcpuHour: '0.031611', gibHour: '0.004237' },
        },
      },
    },
  },
};

export const PRICE_ERROR_REASONS = ['unknown_cloud', 'unknown_region', 'invalid_price_table', 'invalid_workload', 'amount_too_large'] as const;
export type PriceErrorReason = (typeof PRICE_ERROR_REASONS)[number];

export class PriceError extends Error {
  override readonly name = 'PriceError';

  constructor(
    readonly reason: PriceErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** Hourly rates in integer nano-dollars (1e-9 USD): exact for every published figure above. */
export interface UnitRates {
  cloud: Cloud;
  region: string;
  instanceType: string;
  vcpuHourNanoUsd: bigint;
  gibHourNanoUsd: bigint;
  /** `published`: the provider's own component prices; `split`: the instance price split by ratio. */
  derivation: 'published' | 'split';
}

const NANO_DIGITS = 9;

/** Exact decimal → integer in units of 10^-digits. Only plain non-negative decimals are accepted. */
export function parseDecimal(text: string, digits: number): bigint {
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(text);
  if (!m || (m[2] !== undefined && m[2].length > digits)) {
    throw new PriceError('invalid_price_table', `${JSON.stringify(text)} is not a decimal with at most ${digits} places`);
  }
  return BigInt(m[1]! + (m[2] ?? '').padEnd(digits, '0'));
}

/** Round-half-up division of non-negative bigints. */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

export function unitRates(table: PriceTable, cloud: Cloud, region?: string): UnitRates {
  if (!CLOUDS.includes(cloud) || !Object.prototype.hasOwnProperty.call(table.clouds, cloud)) {
    throw new PriceError('unknown_cloud', `unknown cloud ${JSON.stringify(String(cloud).slice(0, 32))}; expected one of ${CLOUDS.join(', ')}`);
  }
  const pricing = table.clouds[cloud];
  const name = region ?? pricing.defaultRegion;
  if (!Object.prototype.hasOwnProperty.call(pricing.regions, name)) {
    throw new PriceError(
      'unknown_region',
      `no ${cloud} prices for region ${JSON.stringify(name.slice(0, 64))}; known: ${Object.keys(pricing.regions).join(', ')}`,
    );
  }
  const r = pricing.regions[name]!;
  const base = { cloud, region: name, instanceType: r.instance.instanceType };
  if (r.unitPricesUsd) {
    return {
      ...base,
      vcpuHourNanoUsd: parseDecimal(r.unitPricesUsd.vcpuHour, NANO_DIGITS),
      gibHourNanoUsd: parseDecimal(r.unitPricesUsd.gibHour, NANO_DIGITS),
      derivation: 'published',
    };
  }
  // price = k·(vcpu·cpuRef + mem·gibRef); each part keeps the reference ratio. vCPU and GiB in milli-units.
  const price = parseDecimal(r.instance.hourlyUsd, NANO_DIGITS);
  const cpuRef = parseDecimal(table.split.vcpuHourUsd, NANO_DIGITS);
  const gibRef = parseDecimal(table.split.gibHourUsd, NANO_DIGITS);
  const vcpuMilli = parseDecimal(String(r.instance.vcpu), 3);
  const gibMilli = parseDecimal(String(r.instance.memoryGiB), 3);
  const denominator = vcpuMilli * cpuRef + gibMilli * gibRef;
  return {
    ...base,
    vcpuHourNanoUsd: divRound(1000n * price * cpuRef, denominator),
    gibHourNanoUsd: divRound(1000n * price * gibRef, denominator),
    derivation: 'split',
  };
}

/** Validates a price table from configuration (e.g. parsed JSON) and returns it typed. */
export function parsePriceTable(input: unknown): PriceTable {
  const fail = (path: string, want: string): never => {
    throw new PriceError('invalid_price_table', `price table ${path}: expected ${want}`);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path, 'an object');
  const str = (v: unknown, path: string): string => (typeof v === 'string' && v.length > 0 ? v : fail(path, 'a non-empty string'));
  const usd = (v: unknown, path: string): string => {
    const s = str(v, path);
    try {
      parseDecimal(s, NANO_DIGITS);
    } catch {
      fail(path, 'a USD decimal string such as "0.192"');
    }
    return s;
  };
  const positive = (v: unknown, path: string): number => {
    const want = 'a positive number with at most 3 decimals';
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(path, want);
    try {
      parseDecimal(String(v), 3);
    } catch {
      fail(path, want);
    }
    return v as number;
  };

  const root = obj(input, '(root)');
  const split = obj(root.split, 'split');
  const cpuRef = usd(split.vcpuHourUsd, 'split.vcpuHourUsd');
  const gibRef = usd(split.gibHourUsd, 'split.gibHourUsd');
  if (parseDecimal(cpuRef, NANO_DIGITS) === 0n && parseDecimal(gibRef, NANO_DIGITS) === 0n) fail('split', 'at least one non-zero reference price');
  const table: PriceTable = {
    split: { vcpuHourUsd: cpuRef, gibHourUsd: gibRef, source: typeof split.source === 'string' ? split.source : '' },
    clouds: {} as Record<Cloud, CloudPricing>,
  };
  const clouds = obj(root.clouds, 'clouds');
  for (const cloud of CLOUDS) {
    const c = obj(clouds[cloud], `clouds.${cloud}`);
    const regions = obj(c.regions, `clouds.${cloud}.regions`);
    const defaultRegion = str(c.defaultRegion, `clouds.${cloud}.defaultRegion`);
    if (!Object.prototype.hasOwnProperty.call(regions, defaultRegion)) fail(`clouds.${cloud}.defaultRegion`, 'one of its regions');
    const out: CloudPricing = { defaultRegion, regions: {} };
    for (const [name, value] of Object.entries(regions)) {
      const at = `clouds.${cloud}.regions.${name}`;
      // JSON.parse makes "__proto__" an own key; assigned below it would replace the prototype of
      // `out.regions` instead of adding a region, and the table would fail only when priced.
      if (name === '__proto__') fail(at, 'a region name other than __proto__');
      const r = obj(value, at);
      const i = obj(r.instance, `${at}.instance`);
      const region: RegionPricing = {
        instance: {
          instanceType: str(i.instanceType, `${at}.instance.instanceType`),
          vcpu: positive(i.vcpu, `${at}.instance.vcpu`),
          memoryGiB: positive(i.memoryGiB, `${at}.instance.memoryGiB`),
          hourlyUsd: usd(i.hourlyUsd, `${at}.instance.hourlyUsd`),
          source: str(i.source, `${at}.instance.source`),
          asOf: str(i.asOf, `${at}.instance.asOf`),
        },
      };
      if (r.unitPricesUsd !== undefined) {
        const u = obj(r.unitPricesUsd, `${at}.unitPricesUsd`);
        region.unitPricesUsd = { vcpuHour: usd(u.vcpuHour, `${at}.unitPricesUsd.vcpuHour`), gibHour: usd(u.gibHour, `${at}.unitPricesUsd.gibHour`) };
      }
      out.regions[name] = region;
    }
    table.clouds[cloud] = out;
  }
  return table;
}
