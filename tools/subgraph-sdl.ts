// Prints a service's subgraph SDL (what `_service { sdl }` serves) without Kafka or PostgreSQL:
// the Nest app is built with stand-ins for its connections, which resolvers never touch at build
// time. `--write` stores it as services/<name>/schema.graphql, the input of supergraph composition;
// `--check` fails when the stored file is stale.
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSubgraphSchema } from '@apollo/subgraph';
import { JsonLogger, PlatformModule, ServiceSpec } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { z } from 'zod';

const REPO = join(__dirname, '..');

function standIn(name: string): never {
  return new Proxy({}, {
    get: (_t, prop) => {
      // Nest probes providers for lifecycle hooks, and await probes for `then`: answer "none".
      if (prop === 'then' || typeof prop === 'symbol' || /^(on|before)[A-Z]/.test(prop)) return undefined;
      if (prop in Object.prototype) return Reflect.get(Object.prototype, prop);
      throw new Error(`${name}.${String(prop)} used while printing SDL`);
    },
  }) as never;
}

export async function subgraphSdl(service: string): Promise<string> {
  const specModule = require(join(REPO, 'services', service, 'src', 'service.ts')) as Record<string, ServiceSpec<z.ZodTypeAny>>;
  const spec = Object.values(specModule).find((v) => v && typeof v === 'object' && 'configSchema' in v);
  if (!spec) throw new Error(`services/${service}/src/service.ts exports no ServiceSpec`);
  // Defaults for every key; placeholders for the connections, which are never opened here.
  const shape = (spec.configSchema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const addresses = Object.fromEntries(Object.keys(shape).filter((k) => k.endsWith('_ADDR')).map((k) => [k, 'sdl-only:1']));
  const config = spec.configSchema.parse({ ...addresses, KAFKA_BROKERS: 'sdl-only:9092', DATABASE_URL: 'postgres://sdl-only/none' });
  const deps = { config, logger: new JsonLogger(service, 'error'), metrics: new ServiceMetrics(service), messaging: standIn('messaging'), dataSource: standIn('dataSource') };
  const app = await NestFactory.create(spec.module(PlatformModule.forRoot(deps as never), config), { logger: new JsonLogger(service, 'error'), abortOnError: false });
  await app.init();
  const sdl = printSubgraphSchema(app.get(GraphQLSchemaHost).schema);
  await app.close();
  return sdl.trimEnd() + '\n';
}

export function sdlPath(service: string): string {
  return join(REPO, 'services', service, 'schema.graphql');
}

if (require.main === module) {
  const [service, mode] = process.argv.slice(2);
  subgraphSdl(service).then((sdl) => {
    if (mode === '--write') writeFileSync(sdlPath(service), sdl);
    else if (mode === '--check') {
      if (readFileSync(sdlPath(service), 'utf8') !== sdl) {
        process.stderr.write(`services/${service}/schema.graphql is stale: run 'npm run supergraph:compose'\n`);
        process.exit(1);
      }
    } else process.stdout.write(sdl);
    process.exit(0);
  }, (error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
}
