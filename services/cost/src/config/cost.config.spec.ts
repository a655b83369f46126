import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@prescient/platform';
import { DEFAULT_PRICE_TABLE } from '../domain';
import { costConfigSchema } from './cost.config';

const base = { KAFKA_BROKERS: 'localhost:9092', DATABASE_URL: 'postgres://u@localhost:5432/db' };
const dir = mkdtempSync(join(tmpdir(), 'cost-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

function problems(env: Record<string, string>): { key: string; message: string }[] {
  try {
    loadConfig(costConfigSchema, { ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('cost configuration', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to ports 9204/9214, the built-in table and each cloud\'s default region', () => {
    const config = loadConfig(costConfigSchema, base);
    expect(config).toMatchObject({ HTTP_PORT: 9204, GRPC_PORT: 9214, regions: { aws: 'us-east-1', azure: 'eastus', gcp: 'us-central1' } });
    expect(config.priceTable).toBe(DEFAULT_PRICE_TABLE);
  });

  it('reads a price table file and a region from it', () => {
    const table = JSON.parse(JSON.stringify(DEFAULT_PRICE_TABLE));
    table.clouds.azure.regions.westeurope = { instance: { ...table.clouds.azure.regions.eastus.instance, hourlyUsd: '0.23' } };
    const config = loadConfig(costConfigSchema, { ...base, COST_PRICE_TABLE_FILE: file('ok.json', JSON.stringify(table)), COST_REGION_AZURE: 'westeurope' });
    expect(config.regions.azure).toBe('westeurope');
    expect(config.priceTable.clouds.azure.regions.westeurope!.instance.hourlyUsd).toBe('0.23');
  });

  it.each([
    ['a missing file', () => join(dir, 'absent.json'), /cannot read .*absent\.json/],
    ['a file that is not JSON', () => file('bad.json', '{ clouds: '), /is not valid JSON/],
    ['a table with a bad price', () => {
      const table = JSON.parse(JSON.stringify(DEFAULT_PRICE_TABLE));
      table.clouds.aws.regions['us-east-1'].instance.hourlyUsd = '0,192';
      return file('price.json', JSON.stringify(table));
    }, /clouds\.aws\.regions\.us-east-1\.instance\.hourlyUsd/],
  ])('refuses %s, naming COST_PRICE_TABLE_FILE', (_name, path, message) => {
    expect(problems({ COST_PRICE_TABLE_FILE: path() })).toEqual([{ key: 'COST_PRICE_TABLE_FILE', message: expect.stringMatching(message) }]);
  });

  it('refuses a region the table has no prices for, naming its key', () => {
    expect(problems({ COST_REGION_GCP: 'europe-west1' })).toEqual([{ key: 'COST_REGION_GCP', message: expect.stringMatching(/no gcp prices for region "europe-west1"; known: us-central1/) }]);
  });

  it('refuses a bad gRPC port with the base keys', () => {
    expect(problems({ GRPC_PORT: '70000' }).map((p) => p.key)).toEqual(['GRPC_PORT']);
  });
});
