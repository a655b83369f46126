import { ingestionConfigSchema } from './ingestion.config';

describe('INGESTION_ROLES', () => {
  const base = { KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://u@h/db' };

  it('defaults to every role', () => {
    expect([...ingestionConfigSchema.parse(base).INGESTION_ROLES].sort()).toEqual(['collectors', 'receiver', 'rollups']);
  });

  it('takes a comma-separated subset', () => {
    expect([...ingestionConfigSchema.parse({ ...base, INGESTION_ROLES: ' receiver , rollups' }).INGESTION_ROLES].sort()).toEqual(['receiver', 'rollups']);
  });

  it.each([['', 'must list roles among receiver, rollups, collectors'], ['receiver,writer', 'unknown: writer']])('refuses %j, naming the roles', (value, message) => {
    const result = ingestionConfigSchema.safeParse({ ...base, INGESTION_ROLES: value });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['INGESTION_ROLES'], message: expect.stringContaining(message) });
  });
});
