// The Docker path: the same real Kafka and PostgreSQL, as testcontainers. Loaded lazily so that
// machines without Docker never load the client.
export interface ContainerInfra {
  value: string;
  stop(): Promise<void>;
}

export const KAFKA_IMAGE = process.env.PRESCIENT_KAFKA_IMAGE ?? 'confluentinc/cp-kafka:7.9.0';
export const POSTGRES_IMAGE = process.env.PRESCIENT_POSTGRES_IMAGE ?? 'postgres:16-alpine';

export async function startKafkaContainer(): Promise<ContainerInfra> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
  return { value: `${container.getHost()}:${container.getMappedPort(9093)}`, stop: async () => void (await container.stop()) };
}

export async function startPostgresContainer(): Promise<ContainerInfra> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE).withDatabase('prescient').start();
  return { value: container.getConnectionUri(), stop: async () => void (await container.stop()) };
}
