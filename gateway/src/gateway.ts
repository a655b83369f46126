import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { ApolloGateway, GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { z } from 'zod';
import { TENANT_HEADER } from '@prescient/contracts';
import { JsonLogger, loadConfig, port } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { SUPERGRAPH_PATH } from './compose';
import { addrVariable, SUBGRAPHS } from './subgraphs';

const url = z.string().url();
export const gatewayConfigSchema = z.object({
  HTTP_PORT: port(4000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(25000),
  ...Object.fromEntries(SUBGRAPHS.map((s) => [addrVariable(s.name), url.optional()])),
});

interface GatewayContext {
  tenant?: string;
}

/** Forwards the caller's tenant to every subgraph, which filters by it (the gateway is not the only wall). */
class TenantForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context.tenant) request.http?.headers.set(TENANT_HEADER, context.tenant);
  }
}

export interface RunningGateway {
  port: number;
  stop(): Promise<void>;
}

/** The one public API: the supergraph composed at build time, served over HTTP. */
export async function startGateway(env: NodeJS.ProcessEnv = process.env): Promise<RunningGateway> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const config = loadConfig(gatewayConfigSchema, env) as z.infer<typeof gatewayConfigSchema> & Record<string, string | undefined>;
  const logger = new JsonLogger('gateway', config.LOG_LEVEL);
  const metrics = new ServiceMetrics('gateway');
  const requests = metrics.counter('graphql_requests_total', 'GraphQL operations by outcome', ['outcome']);

  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name, url: composedUrl }) => {
      const addr = config[addrVariable(name)];
      return new TenantForwardingDataSource({ url: addr ? `${addr.replace(/\/$/, '')}/graphql` : composedUrl });
    },
  });
  const app = express();
  const httpServer: Server = createServer(app);
  const server = new ApolloServer<GatewayContext>({
    gateway,
    // Our SIGTERM handler drains and exits 0; Apollo's own would re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response }) {
              const failed = response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0;
              requests.inc({ outcome: failed ? 'error' : 'ok' });
            },
          };
        },
      },
    ],
  });
  await server.start();
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => void res.json({ status: 'ready' }));
  app.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.render();
    res.type(contentType).send(body);
  });
  app.use('/graphql', express.json({ limit: '256kb' }), expressMiddleware(server, {
    context: async ({ req }) => {
      const raw = req.headers[TENANT_HEADER];
      return { tenant: Array.isArray(raw) ? raw[0] : raw };
    },
  }));
  await new Promise<void>((r) => httpServer.listen(config.HTTP_PORT, process.env.HOST ?? '0.0.0.0', r));
  const boundPort = (httpServer.address() as { port: number }).port;
  logger.lifecycle('gateway ready', { event: 'ready', httpPort: boundPort });
  return {
    port: boundPort,
    stop: async () => {
      logger.lifecycle('draining', { event: 'draining' });
      await server.stop();
      logger.lifecycle('stopped', { event: 'stopped' });
    },
  };
}
