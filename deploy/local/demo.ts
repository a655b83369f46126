// `npm start`: real Kafka and PostgreSQL (or those configured), every service and the gateway as
// processes, a real trace replayed through remote_write, and a GraphQL query with its real answer.
// Ctrl-C stops everything this started.
import { join } from 'node:path';
import { encodeRemoteWriteBody, Infrastructure, Mesh, startInfrastructure, startMesh } from '@prescient/testing';
import { readNabTrace, shiftToEnd } from './trace';

const TRACE = join(__dirname, 'data', 'nab', 'ec2_cpu_utilization_24ae8d.csv');
const TENANT = 'demo';
const CORES = 4;
const WORKLOAD = { cluster: 'demo', namespace: 'shop', kind: 'Deployment', name: 'checkout' };
const t0 = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

let mesh: Mesh | undefined;
let infra: Infrastructure | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  say('stopping …');
  for (const [name, exit] of Object.entries((await mesh?.stop()) ?? {})) say(`  ${name} stopped (exit ${exit})`);
  await infra?.stop();
  say('stopped everything this demo started');
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function replay(ingestionPort: number): Promise<{ sent: number; lastSampleMs: number }> {
  const trace = shiftToEnd(readNabTrace(TRACE), Math.floor(Date.now() / 300_000) * 300_000);
  say(`replaying ${trace.length} samples of ${TRACE.split('/').pop()} (CPU % × ${CORES} cores / 100 → cores) as ${WORKLOAD.namespace}/${WORKLOAD.name}, one day a request …`);
  const labels = [
    { name: '__name__', value: 'namespace_workload:container_cpu_usage_seconds_total:sum_rate' },
    { name: 'cluster', value: WORKLOAD.cluster },
    { name: 'namespace', value: WORKLOAD.namespace },
    { name: 'workload', value: WORKLOAD.name },
    { name: 'workload_type', value: 'deployment' },
  ];
  const perRequest = 288;
  for (let i = 0; i < trace.length; i += perRequest) {
    const samples = trace.slice(i, i + perRequest).map((p) => ({ timestampMs: p.timestampMs, value: (p.value / 100) * CORES }));
    const res = await fetch(`http://127.0.0.1:${ingestionPort}/api/v1/write`, {
      method: 'POST',
      body: encodeRemoteWriteBody([{ labels, samples }]),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', 'x-prescient-tenant': TENANT },
    });
    if (res.status !== 204) throw new Error(`remote_write answered ${res.status}: ${await res.text()}`);
  }
  return { sent: trace.length, lastSampleMs: trace[trace.length - 1].timestampMs };
}

export const DEMO_QUERY = `query Demo {
  workload(cluster: "${WORKLOAD.cluster}", namespace: "${WORKLOAD.namespace}", kind: "${WORKLOAD.kind}", name: "${WORKLOAD.name}") {
    cluster namespace kind name
    lastSampleAt samplesReceived
    forecast(metric: "cpu_usage_cores", horizon: HOURS_24, quantiles: [0.5, 0.9]) {
      model confidence backtestMase windowMax windowMin windowAvg generatedAt lastSampleAt
      points { timestamp mean quantiles { quantile value } }
    }
    recommendation {
      cpuRequestMillicores { current recommended reason }
      memoryRequestBytes { recommended reason }
      generatedAt
    }
    cost {
      clouds { cloud region currentMonthlyUsd recommendedMonthlyUsd savingsMonthlyUsd }
      caveats
    }
  }
}`;

async function main(): Promise<void> {
  say('Prescient demo: bringing up the infrastructure (Kafka, PostgreSQL) …');
  infra = await startInfrastructure({ progress: (line) => say(`  ${line}`) });
  mesh = await startMesh(infra, { progress: say });
  const { sent, lastSampleMs } = await replay(mesh.services.ingestion.httpPort);
  say(`replayed ${sent} samples; asking the gateway …`);
  const url = mesh.gatewayUrl;
  let answer: unknown;
  for (let attempt = 0; attempt < 120; attempt++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': TENANT }, body: JSON.stringify({ query: DEMO_QUERY }) });
    answer = await res.json();
    const workload = (answer as { data?: { workload?: { forecast?: { lastSampleAt: string }; cost?: unknown } } }).data?.workload;
    if (workload?.forecast && Date.parse(workload.forecast.lastSampleAt) >= lastSampleMs && workload.cost) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  say(`GraphQL endpoint: ${url}  (send header x-prescient-tenant: ${TENANT})`);
  process.stdout.write(`\n${DEMO_QUERY}\n\n${summarise(answer)}\n\n`);
  say(`first answer after ${((Date.now() - t0) / 1000).toFixed(1)} s. Running; Ctrl-C stops everything.`);
  if (process.env.PRESCIENT_DEMO_EXIT === '1') await stopAll(0);
}

main().catch(async (error: Error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  await stopAll(1);
});

/** The answer as JSON, with the 288 forecast points cut to the first three (the rest are there). */
function summarise(answer: unknown): string {
  const copy = JSON.parse(JSON.stringify(answer)) as { data?: { workload?: { forecast?: { points?: unknown[] } } } };
  const points = copy.data?.workload?.forecast?.points;
  if (points && points.length > 3) {
    const total = points.length;
    points.splice(3, total - 3, `… ${total - 3} more points`);
  }
  return JSON.stringify(copy, null, 2);
}
