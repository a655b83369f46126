import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './infra/paths';
import { ServiceProcess, startServiceProcess } from './service-process';

/** Start order: a service starts after those whose gRPC address it needs. */
export const MESH_SERVICES = ['prediction', 'recommendation', 'cost', 'autoscaler-actuator', 'ingestion', 'mesh-webhook'] as const;
/** Services with a federated subgraph (all but the webhook). */
const SUBGRAPHS = new Set(['ingestion', 'prediction', 'recommendation', 'cost', 'autoscaler-actuator']);

export interface Mesh {
  services: Record<string, ServiceProcess>;
  gateway: ServiceProcess;
  gatewayUrl: string;
  /** SIGTERM to everything, gateway first; resolves with each process's exit code. */
  stop(): Promise<Record<string, number | null>>;
}

const envName = (service: string) => service.toUpperCase().replace(/-/g, '_');

/**
 * Every service and the gateway as processes against the given Kafka and PostgreSQL, on free
 * loopback ports. Used by `npm start` and the e2e tests alike.
 */
export async function startMesh(
  infra: { kafkaBrokers: string; databaseUrl: string },
  { env = {}, progress = () => undefined }: { env?: NodeJS.ProcessEnv; progress?: (line: string) => void } = {},
): Promise<Mesh> {
  const services: Record<string, ServiceProcess> = {};
  const grpcAddrs: Record<string, string> = {};
  // The gateway first (no new queries), then every service at once: each drains on its own.
  const stopAll = async () => {
    const codes: Record<string, number | null> = {};
    if (services.gateway) codes.gateway = await services.gateway.stop();
    const rest = Object.entries(services).filter(([name]) => name !== 'gateway');
    await Promise.all(rest.map(async ([name, process]) => (codes[name] = await process.stop())));
    return codes;
  };
  try {
    for (const name of MESH_SERVICES) {
      const entry = `services/${name}/src/main.ts`;
      if (!existsSync(join(REPO_ROOT, entry))) continue;
      progress(`starting ${name} …`);
      const started = await startServiceProcess(name, entry, {
        HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'warn',
        KAFKA_BROKERS: infra.kafkaBrokers, DATABASE_URL: infra.databaseUrl, ...grpcAddrs, ...env,
      });
      services[name] = started;
      if (started.grpcPort) grpcAddrs[`${envName(name)}_GRPC_ADDR`] = `127.0.0.1:${started.grpcPort}`;
      progress(`  ${name} ready: http://127.0.0.1:${started.httpPort}${started.grpcPort ? `, gRPC 127.0.0.1:${started.grpcPort}` : ''} (log ${started.logFile})`);
    }
    progress('starting gateway …');
    const subgraphAddrs = Object.fromEntries(Object.entries(services).filter(([n]) => SUBGRAPHS.has(n)).map(([n, s]) => [`${envName(n)}_ADDR`, `http://127.0.0.1:${s.httpPort}`]));
    const gateway = await startServiceProcess('gateway', 'gateway/src/main.ts', { HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'warn', ...subgraphAddrs, ...env });
    services.gateway = gateway;
    const gatewayUrl = `http://127.0.0.1:${gateway.httpPort}/graphql`;
    progress(`  gateway ready: ${gatewayUrl} (log ${gateway.logFile})`);
    return { services, gateway, gatewayUrl, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
