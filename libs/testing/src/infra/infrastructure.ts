import { startKafkaContainer, startPostgresContainer } from './containers';
import { dockerEngineAnswers } from './docker';
import { startLocalKafka } from './kafka-local';
import { startLocalPostgres } from './postgres-local';

export type InfraSource = 'env' | 'testcontainers' | 'local';

export interface Infrastructure {
  kafkaBrokers: string;
  databaseUrl: string;
  sources: { kafka: InfraSource; postgres: InfraSource };
  /** Stops what this call started (never what the environment pointed at). */
  stop(): Promise<void>;
}

export interface InfraOptions {
  progress?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * The one order of choice, shared by `npm start` and the tests: KAFKA_BROKERS / DATABASE_URL when
 * set; else testcontainers when a Docker engine answers; else processes the project starts itself.
 * PRESCIENT_INFRA=local|testcontainers forces the choice. Anything that cannot start throws.
 */
export async function startInfrastructure({ progress = () => undefined, env = process.env }: InfraOptions = {}): Promise<Infrastructure> {
  const forced = env.PRESCIENT_INFRA;
  if (forced && forced !== 'local' && forced !== 'testcontainers') {
    throw new Error(`PRESCIENT_INFRA must be 'local' or 'testcontainers', got '${forced}'`);
  }
  const useContainers = forced ? forced === 'testcontainers' : await dockerEngineAnswers();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e: Error) => progress(`stop failed: ${e.message}`));
  };
  try {
    const [kafka, postgres] = await Promise.all([
      env.KAFKA_BROKERS
        ? { value: env.KAFKA_BROKERS, source: 'env' as const }
        : useContainers
          ? startKafkaContainer().then((c) => (stops.push(c.stop), { value: c.value, source: 'testcontainers' as const }))
          : startLocalKafka(progress).then((k) => (stops.push(k.stop), { value: k.brokers, source: 'local' as const })),
      env.DATABASE_URL
        ? { value: env.DATABASE_URL, source: 'env' as const }
        : useContainers
          ? startPostgresContainer().then((c) => (stops.push(c.stop), { value: c.value, source: 'testcontainers' as const }))
          : startLocalPostgres(progress).then((p) => (stops.push(p.stop), { value: p.databaseUrl, source: 'local' as const })),
    ]);
    progress(`infrastructure: Kafka from ${describe(kafka.source)}, PostgreSQL from ${describe(postgres.source)}`);
    return { kafkaBrokers: kafka.value, databaseUrl: postgres.value, sources: { kafka: kafka.source, postgres: postgres.source }, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function describe(source: InfraSource): string {
  return source === 'env' ? 'the environment' : source === 'testcontainers' ? 'testcontainers (Docker)' : 'a local process started by the project';
}
