// What a workload costs per hour and per month on each cloud, from its requested CPU and memory.
//
// Money is integer micro-dollars (1e-6 USD) in a plain `number`: every amount is computed exactly in
// BigInt from integer inputs (millicores, bytes, replicas) and nano-dollar rates, and rounded once,
// half up, at the end; a month is priced from the exact hourly amount, not from the rounded one.
//
// The price is what the requests would cost as a share of the reference instance (requests, not usage,
// are what the scheduler reserves). It ignores bin-packing waste, node overhead, DaemonSets, discounts
// and free tiers: it compares workloads and recommendations with one another, it is not a bill.
import { CLOUDS, DEFAULT_PRICE_TABLE, divRound, PriceError, unitRates, type Cloud, type PriceTable } from './prices';

export const HOURS_PER_MONTH = 730;

export interface WorkloadResources {
  /** CPU requested per replica, in cores; rounded up to whole millicores as Kubernetes does. */
  cpuCores: number;
  /** Memory requested per replica, in bytes; rounded up to a whole byte. */
  memoryBytes: number;
  replicas: number;
}

export interface WorkloadPrice {
  cloud: Cloud;
  region: string;
  /** Integer micro-dollars per hour. */
  hourly: number;
  /** Integer micro-dollars per 730-hour month. */
  monthly: number;
  currency: 'USD';
}

export interface CloudComparison {
  cloud: Cloud;
  region: string;
  current: WorkloadPrice;
  recommended: WorkloadPrice;
  /** current − recommended, integer micro-dollars; negative when the recommendation costs more. */
  savings: { hourly: number; monthly: number };
}

export interface PriceOptions {
  table?: PriceTable;
  /** Region per cloud; each cloud's `defaultRegion` otherwise. */
  regions?: Partial<Record<Cloud, string>>;
}

const MILLI_PER_CORE = 1000n;
const BYTES_PER_GIB = 1n << 30n;
const NANO_PER_MICRO = 1000n;
/** Denominator of the exact hourly amount: millicores × nano$ and bytes × nano$/GiB share it. */
const HOURLY_DENOMINATOR = MILLI_PER_CORE * BYTES_PER_GIB * NANO_PER_MICRO;

export function priceWorkload(workload: WorkloadResources, cloud: Cloud, region?: string, table: PriceTable = DEFAULT_PRICE_TABLE): WorkloadPrice {
  const { millicores, bytes, replicas } = validate(workload);
  const rates = unitRates(table, cloud, region);
  // Both terms in units of nano-dollars / (1000 × 2^30).
  const perReplica = millicores * rates.vcpuHourNanoUsd * BYTES_PER_GIB + bytes * rates.gibHourNanoUsd * MILLI_PER_CORE;
  const hourNumerator = perReplica * replicas;
  return {
    cloud,
    region: rates.region,
    hourly: toSafeNumber(divRound(hourNumerator, HOURLY_DENOMINATOR), 'hourly'),
    monthly: toSafeNumber(divRound(hourNumerator * BigInt(HOURS_PER_MONTH), HOURLY_DENOMINATOR), 'monthly'),
    currency: 'USD',
  };
}

/** Prices both on every cloud of the table, in AWS, Azure, GCP order. */
export function compareCurrentToRecommended(
  current: WorkloadResources,
  recommended: WorkloadResources,
  options: PriceOptions = {},
): CloudComparison[] {
  const table = options.table ?? DEFAULT_PRICE_TABLE;
  return CLOUDS.map((cloud) => {
    const region = options.regions?.[cloud];
    const cur = priceWorkload(current, cloud, region, table);
    const rec = priceWorkload(recommended, cloud, region, table);
    return {
      cloud,
      region: cur.region,
      current: cur,
      recommended: rec,
      savings: { hourly: cur.hourly - rec.hourly, monthly: cur.monthly - rec.monthly },
    };
  });
}

/** Micro-dollars → dollars as a float, for display and for the proto's `double` fields only. */
export function microUsdToUsd(micros: number): number {
  return micros / 1e6;
}

/** '$1,234.56' style with `decimals` places (2 by default), rounding half away from zero, from integer micro-dollars. */
export function formatUsd(micros: number, decimals = 2): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 6) throw new RangeError(`decimals must be 0..6, got ${decimals}`);
  const negative = micros < 0;
  const unit = 10n ** BigInt(6 - decimals);
  const scaled = divRound(BigInt(Math.abs(micros)), unit);
  const whole = (scaled / 10n ** BigInt(decimals)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = decimals === 0 ? '' : `.${(scaled % 10n ** BigInt(decimals)).toString().padStart(decimals, '0')}`;
  return `${negative && scaled > 0n ? '-' : ''}$${whole}${frac}`;
}

function validate(w: WorkloadResources): { millicores: bigint; bytes: bigint; replicas: bigint } {
  const bad = (field: string, value: unknown, want: string) =>
    new PriceError('invalid_workload', `workload ${field} is ${String(value)}; expected ${want}`);
  if (typeof w?.cpuCores !== 'number' || !Number.isFinite(w.cpuCores) || w.cpuCores < 0) throw bad('cpuCores', w?.cpuCores, 'a finite number ≥ 0');
  if (typeof w.memoryBytes !== 'number' || !Number.isFinite(w.memoryBytes) || w.memoryBytes < 0) {
    throw bad('memoryBytes', w.memoryBytes, 'a finite number ≥ 0');
  }
  if (!Number.isSafeInteger(w.replicas) || w.replicas < 0) throw bad('replicas', w.replicas, 'a whole number ≥ 0');
  // Round to micro-cores first so 0.1 + 0.2 cores is 300m, not 301m.
  const millicores = Math.ceil(Math.round(w.cpuCores * 1e6) / 1000);
  const bytes = Math.ceil(w.memoryBytes);
  if (!Number.isSafeInteger(millicores) || !Number.isSafeInteger(bytes)) throw bad('size', `${w.cpuCores} cores, ${w.memoryBytes} bytes`, 'a safe size');
  return { millicores: BigInt(millicores), bytes: BigInt(bytes), replicas: BigInt(w.replicas) };
}

function toSafeNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PriceError('amount_too_large', `${what} amount of ${v} micro-dollars is beyond 2^53`);
  return Number(v);
}
