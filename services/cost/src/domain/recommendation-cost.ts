// What a recommendation would save: the workload priced as it runs now and as recommended.
//
// A recommendation carries, for the CPU request, the memory request and the replica count, a current
// and a recommended figure, either of which may be absent. Each side falls back to the other: with no
// recommended figure the recommendation changes nothing (recommended = current); with no current
// figure the workload is taken to run as recommended (current = recommended, so that resource adds no
// saving). With neither, the resource is priced as nothing (0 millicores, 0 bytes) or, for replicas,
// as one replica (the figures are then per replica). Every fallback but the first is a caveat, stated
// in words, so a reader knows what the figures rest on. Limits are not priced: requests are what the
// scheduler reserves.
import { compareCurrentToRecommended, type CloudComparison, type PriceOptions, type WorkloadResources } from './price';
import { PriceError } from './prices';

export type CostResource = 'cpu_request' | 'memory_request' | 'replicas';

/** One resource's figures; the shape of `ResourceAdvice` in recommendation.proto. */
export interface AdviceFigures {
  current?: number | undefined;
  recommended?: number | undefined;
}

/** The parts of a Recommendation that cost money; the shape of recommendation.proto's message. */
export interface RecommendationFigures {
  cpuRequestMillicores?: AdviceFigures | undefined;
  memoryRequestBytes?: AdviceFigures | undefined;
  replicas?: AdviceFigures | undefined;
}

export interface Caveat {
  resource: CostResource;
  /** `current_assumed`: current unknown, taken as the recommended figure; `unknown`: neither known. */
  kind: 'current_assumed' | 'unknown';
  message: string;
}

export interface RecommendationCost {
  /** AWS, Azure, GCP, with integer micro-dollar amounts. */
  comparisons: CloudComparison[];
  /** The figures priced, per replica and replica count, after the fallbacks. */
  current: WorkloadResources;
  recommended: WorkloadResources;
  /** Empty when every current figure was known. */
  caveats: Caveat[];
}

interface ResourceSpec {
  resource: CostResource;
  /** The field's name in recommendation.proto, for error messages. */
  field: string;
  /** What a resource with no figure at all is priced as. */
  unknownAs: number;
  unknownText: string;
  format(value: number): string;
}

const RESOURCES = {
  cpu: { resource: 'cpu_request', field: 'cpu_request_millicores', unknownAs: 0, unknownText: 'priced at 0 (the CPU part of the figures is missing)', format: (v: number) => `${v}m` },
  memory: { resource: 'memory_request', field: 'memory_request_bytes', unknownAs: 0, unknownText: 'priced at 0 (the memory part of the figures is missing)', format: formatBytes },
  replicas: { resource: 'replicas', field: 'replicas', unknownAs: 1, unknownText: 'priced as 1 replica (the figures are per replica)', format: (v: number) => `${v} replica${v === 1 ? '' : 's'}` },
} as const satisfies Record<string, ResourceSpec>;

const LABEL: Record<CostResource, string> = { cpu_request: 'CPU request', memory_request: 'memory request', replicas: 'replicas' };

export function priceRecommendation(figures: RecommendationFigures, options: PriceOptions = {}): RecommendationCost {
  const caveats: Caveat[] = [];
  const cpu = resolve(RESOURCES.cpu, figures.cpuRequestMillicores, caveats);
  const memory = resolve(RESOURCES.memory, figures.memoryRequestBytes, caveats);
  const replicas = resolve(RESOURCES.replicas, figures.replicas, caveats);
  // Millicores are whole numbers: m / 1000 cores rounds back to exactly m millicores in priceWorkload.
  const current: WorkloadResources = { cpuCores: cpu.current / 1000, memoryBytes: memory.current, replicas: replicas.current };
  const recommended: WorkloadResources = { cpuCores: cpu.recommended / 1000, memoryBytes: memory.recommended, replicas: replicas.recommended };
  return { comparisons: compareCurrentToRecommended(current, recommended, options), current, recommended, caveats };
}

function resolve(spec: ResourceSpec, advice: AdviceFigures | undefined, caveats: Caveat[]): { current: number; recommended: number } {
  const current = checked(advice?.current, `${spec.field}.current`);
  const recommended = checked(advice?.recommended, `${spec.field}.recommended`);
  const label = LABEL[spec.resource];
  if (current === undefined && recommended === undefined) {
    caveats.push({ resource: spec.resource, kind: 'unknown', message: `${label}: neither the current nor the recommended figure is known; ${spec.unknownText}` });
    return { current: spec.unknownAs, recommended: spec.unknownAs };
  }
  if (current === undefined) {
    caveats.push({
      resource: spec.resource,
      kind: 'current_assumed',
      message: `${label}: the current figure is unknown; taken to be the recommended ${spec.format(recommended!)}, so it adds no saving`,
    });
    return { current: recommended!, recommended: recommended! };
  }
  return { current, recommended: recommended ?? current };
}

function checked(value: number | undefined, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new PriceError('invalid_workload', `${field} is ${String(value)}; expected a whole number ≥ 0`);
  }
  return value;
}

function formatBytes(bytes: number): string {
  const units: [string, number][] = [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
  for (const [unit, size] of units) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes} bytes`;
}
