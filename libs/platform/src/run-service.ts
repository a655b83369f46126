import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import { Server } from '@grpc/grpc-js';
import { z } from 'zod';
import { ServiceMetrics, shutdownTelemetry } from '@prescient/telemetry';
import { BaseConfig, ConfigError, loadConfig } from './config';
import { openDatabase, schemaName } from './database';
import { drainGrpcServer, GrpcService, startGrpcServer } from './grpc';
import { JsonLogger } from './logger';
import { KafkaMessaging } from './messaging';
import { PlatformDeps, PlatformModule } from './platform.module';

export interface ServiceSpec<S extends z.ZodTypeAny> {
  name: string;
  configSchema: S;
  entities: Function[];
  migrations: Function[];
  /** The service's root module, given the platform module to import. */
  module(platform: DynamicModule, config: z.infer<S>): Type<unknown> | DynamicModule;
  /** gRPC services to serve, resolved from the Nest app (so they share its providers). */
  grpc?: (app: INestApplication, config: z.infer<S>) => { port: number; services: GrpcService[] };
  /** Routes that read their own body (e.g. remote_write's snappy protobuf); the JSON parser skips them. */
  rawBodyRoutes?: string[];
  /** Starts consumers etc. once everything is listening. */
  afterStart?: (app: INestApplication, deps: PlatformDeps<z.infer<S>>) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

export interface RunningService {
  app: INestApplication;
  httpPort: number;
  grpcPort?: number;
  deps: PlatformDeps;
  /** Drains and stops: consumers commit, RPCs finish, then connections close. */
  stop(): Promise<void>;
}

function tlsOptions(config: BaseConfig): { cert: Buffer; key: Buffer } | undefined {
  if (!config.TLS_CERT_FILE !== !config.TLS_KEY_FILE) {
    throw new ConfigError([{ key: config.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE', message: 'is required when the other TLS file is set' }]);
  }
  if (!config.TLS_CERT_FILE || !config.TLS_KEY_FILE) return undefined;
  const read = (key: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigError([{ key, message: `cannot read ${path}: ${(error as Error).message}` }]);
    }
  };
  return { cert: read('TLS_CERT_FILE', config.TLS_CERT_FILE), key: read('TLS_KEY_FILE', config.TLS_KEY_FILE) };
}

export const HOST = () => process.env.HOST ?? '0.0.0.0';

/**
 * Starts a service: validated config (a bad key is named and the start refused), Kafka topics and
 * producer, PostgreSQL schema and migrations, the Nest app (HTTP: GraphQL, health, metrics), gRPC.
 */
export async function startService<S extends z.ZodTypeAny>(spec: ServiceSpec<S>): Promise<RunningService> {
  const config = loadConfig(spec.configSchema, spec.env ?? process.env) as BaseConfig & z.infer<S>;
  const logger = new JsonLogger(spec.name, config.LOG_LEVEL);
  const metrics = new ServiceMetrics(spec.name);
  const messaging = new KafkaMessaging({ brokers: config.KAFKA_BROKERS, clientId: spec.name, replicationFactor: config.KAFKA_TOPIC_REPLICATION_FACTOR }, metrics, logger);
  await messaging.ensureTopics().catch((e: Error) => {
    throw new Error(`Kafka at ${config.KAFKA_BROKERS} is not usable: ${e.message}`);
  });
  await messaging.connectProducer();
  const dataSource = await openDatabase({ url: config.DATABASE_URL, schema: schemaName(spec.name), entities: spec.entities, migrations: spec.migrations }).catch((e: Error) => {
    throw new Error(`PostgreSQL is not usable: ${e.message}`);
  });
  const deps: PlatformDeps<z.infer<S>> = { config, logger, metrics, messaging, dataSource };
  // abortOnError off: a provider refusing its configuration must reach runService (exit 2, naming
  // the key), not end the process from inside Nest.
  const app = await NestFactory.create(spec.module(PlatformModule.forRoot(deps), config), { logger, bodyParser: false, httpsOptions: tlsOptions(config), abortOnError: false }).catch(async (error: Error) => {
    await messaging.close();
    await dataSource.destroy().catch(() => undefined);
    throw error;
  });
  const json = express.json({ limit: '1mb' });
  const raw = new Set(spec.rawBodyRoutes ?? []);
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => (raw.has(req.path) ? next() : json(req, res, next)));
  await app.listen(config.HTTP_PORT, HOST());
  const httpPort = (app.getHttpServer().address() as { port: number }).port;

  let grpcServer: Server | undefined;
  let grpcPort: number | undefined;
  if (spec.grpc) {
    const grpc = spec.grpc(app, config);
    const started = await startGrpcServer(grpc.services, HOST(), grpc.port);
    grpcServer = started.server;
    grpcPort = started.port;
  }
  await spec.afterStart?.(app, deps);
  logger.lifecycle('service ready', { event: 'ready', httpPort, grpcPort });

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    logger.lifecycle('draining', { event: 'draining' });
    // Order matters: stop taking messages (commit what was handled), finish RPCs, let providers
    // finish their work (which may still publish), then flush the producer.
    await messaging.stopConsumers();
    if (grpcServer) await drainGrpcServer(grpcServer, config.SHUTDOWN_TIMEOUT_MS / 2);
    await app.close();
    await messaging.close();
    await dataSource.destroy().catch(() => undefined);
    logger.lifecycle('stopped', { event: 'stopped' });
  })());
  return { app, httpPort, grpcPort, deps, stop };
}

/**
 * The process entry point: start, then drain on SIGTERM/SIGINT. Exits 2 on bad configuration
 * (naming the key), 1 when a dependency cannot be reached.
 */
export function runService<S extends z.ZodTypeAny>(spec: ServiceSpec<S>): void {
  startService(spec).then(
    (running) => {
      const onSignal = (signal: NodeJS.Signals) => {
        const timeoutMs = (running.deps.config as BaseConfig).SHUTDOWN_TIMEOUT_MS;
        setTimeout(() => {
          process.stderr.write(`${spec.name}: drain did not finish in ${timeoutMs} ms after ${signal}; exiting\n`);
          process.exit(1);
        }, timeoutMs).unref();
        running.stop().then(shutdownTelemetry).then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    },
    (error: Error) => {
      const message = error instanceof ConfigError ? error.message : `cannot start: ${error.message}`;
      process.stderr.write(`${spec.name}: ${message}\n`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    },
  );
}
