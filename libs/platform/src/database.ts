import { DataSource, EntitySchema, MixedList } from 'typeorm';

export interface DatabaseOptions {
  url: string;
  /** The service's own schema: no service reads another's tables. */
  schema: string;
  entities: MixedList<string | Function | EntitySchema>;
  migrations: MixedList<string | Function>;
}

/** Opens the pool, creates the service's schema and runs its migrations (never `synchronize`). */
export async function openDatabase({ url, schema, entities, migrations }: DatabaseOptions): Promise<DataSource> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema name '${schema}' is not a plain identifier`);
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    schema,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
    // Unqualified names in migrations and queries resolve to the service's own schema.
    extra: { max: 10, connectionTimeoutMillis: 5000, options: `-c search_path=${schema}` },
  });
  await dataSource.initialize();
  try {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

export function schemaName(serviceName: string): string {
  return serviceName.replace(/-/g, '_');
}
