/**
 * Micro-benchmark for relabelling (not a test). Run from the repo root:
 *   node -r ./tools/register.js services/ingestion/src/domain/relabel/relabel.bench.ts
 * Applies a typical 5-rule config to 2,000 cAdvisor series (13–14 labels each) and prints series/s.
 * The label arrays are what the decoder hands the service (one 2,000-series request decoded twice with
 * a shared interner: frozen arrays of frozen labels, shared across requests):
 *   cold – per-reference cache off: every series goes through every rule;
 *   warm – cache on: a series seen before costs one WeakMap lookup.
 */
// Relative import on purpose: the package index also loads the Kafka/Postgres test infrastructure.
import { buildCadvisorFleet, encodeRemoteWriteBody, fleetWriteRequests } from '../../../../../libs/testing/src/remote-write';
import { decodeRemoteWrite, LabelInterner, type Label, type RemoteWriteLimits } from '../remote-write';
import { compileRelabelConfigs, type CompiledRelabel, type RelabelConfigInput } from './index';

const SERIES = 2_000;
const WARMUP_MS = 1_000;
const ROUND_MS = 1_000;
const ROUNDS = 5;

const TYPICAL_RULES: RelabelConfigInput[] = [
  { action: 'labeldrop', regex: 'id' },
  { action: 'labeldrop', regex: 'name' },
  { action: 'labeldrop', regex: 'image' },
  {
    source_labels: ['namespace', 'pod'],
    regex: '(.+);(.+)-[0-9a-f]{10}-[0-9a-f]{5}',
    target_label: 'workload',
    replacement: '$1/$2',
  },
  { action: 'keep', source_labels: ['__name__'], regex: 'container_(cpu|memory)_.*' },
];

/** The same shape with regexes that need a regex engine (no literal shortcut) for the label drops. */
const REGEX_RULES: RelabelConfigInput[] = [
  { action: 'labeldrop', regex: 'i[d]' },
  { action: 'labeldrop', regex: 'na(me)' },
  { action: 'labeldrop', regex: 'ima?ge' },
  TYPICAL_RULES[3],
  TYPICAL_RULES[4],
];

/** Series per second of this process's CPU time (robust on a busy machine), and per wall-clock second. */
function measure(relabel: CompiledRelabel, fleet: readonly (readonly Label[])[], durationMs: number): { cpu: number; wall: number } {
  let kept = 0;
  let series = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  while (process.hrtime.bigint() < deadline) {
    for (const labels of fleet) if (relabel.apply(labels) !== null) kept++;
    series += fleet.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  if (kept === -1) console.log(kept); // keeps the result observable
  return { cpu: series / ((cpu.user + cpu.system) / 1e6), wall: series / seconds };
}

const LIMITS: RemoteWriteLimits = {
  maxCompressedBytes: 16 << 20,
  maxDecompressedBytes: 64 << 20,
  maxSeriesPerRequest: 10_000,
  maxLabelsPerSeries: 64,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 4096,
};

function decodedFleet(): readonly (readonly Label[])[] {
  const [request] = fleetWriteRequests(buildCadvisorFleet(SERIES), 1, { seriesPerRequest: SERIES });
  const body = encodeRemoteWriteBody(request);
  const interner = new LabelInterner();
  decodeRemoteWrite(body, LIMITS, { interner }); // the second decode hits the label-set cache, as in steady state
  return decodeRemoteWrite(body, LIMITS, { interner }).series.map((series) => series.labels);
}

function run(name: string, rules: RelabelConfigInput[], cache: boolean): void {
  const relabel = compileRelabelConfigs(rules, { cacheByReference: cache });
  const fleet = decodedFleet();
  measure(relabel, fleet, WARMUP_MS);
  const rounds = Array.from({ length: ROUNDS }, () => measure(relabel, fleet, ROUND_MS));
  const median = (values: number[]): number => values.sort((a, b) => a - b)[ROUNDS >> 1];
  const kept = fleet.filter((labels) => relabel.apply(labels) !== null).length;
  const engines = relabel.rules.map((rule) => rule.regex.engine).join(',');
  const format = (rate: number): string => Math.round(rate).toLocaleString('en-US').padStart(12);
  console.log(
    `${name.padEnd(34)} ${format(median(rounds.map((r) => r.cpu)))} series/CPU-s ${format(median(rounds.map((r) => r.wall)))} series/s` +
      `  kept ${kept}/${SERIES}, engines ${engines}`,
  );
}

console.log(`${SERIES} cAdvisor series, 5 rules (3 labeldrop, replace, keep), ${ROUNDS} rounds of ${ROUND_MS} ms`);
run('typical rules, cold (no cache)', TYPICAL_RULES, false);
run('typical rules, warm (cache hits)', TYPICAL_RULES, true);
run('regex label drops, cold (no cache)', REGEX_RULES, false);
