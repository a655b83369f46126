import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntityKind } from '@prescient/contracts';
import { z } from 'zod';
import { ConfigError, loadConfig } from '@prescient/platform';
import { SCRAPE_PRESETS } from '../domain/exposition';
import { loadScrapeTargets, scrapeConfigShape } from './scrape.config';

const dir = mkdtempSync(join(tmpdir(), 'scrape-config-'));
let n = 0;
const file = (content: unknown) => {
  const path = join(dir, `c${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const SECRET = 'dapi-very-secret-token-0123456789';
const tokenFile = file(`${SECRET}\n`);

const serving = {
  name: 'serving',
  url: 'https://dbc.example.com/api/2.0/serving-endpoints/churn/metrics',
  intervalSeconds: 60,
  timeoutSeconds: 10,
  bearerTokenFile: tokenFile,
  entity: { kind: 'workload', tenant: 'acme', cluster: 'prod', namespace: 'ml', workloadKind: 'deployment', name: 'churn' },
  preset: 'serving-endpoint',
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('scrape config file', () => {
  it('resolves a seed-004 serving endpoint: entity, preset rules, interval, timeout and the token from a file', async () => {
    const [t] = loadScrapeTargets(file({ targets: [serving] }), {});
    expect(t.name).toBe('serving');
    expect(t.url.href).toBe(serving.url);
    expect([t.intervalMs, t.timeoutMs]).toEqual([60_000, 10_000]);
    expect(t.entity).toEqual({ tenant: 'acme', kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'prod', namespace: 'ml', workloadKind: 'Deployment', name: 'churn' });
    expect(t.rules).toEqual(SCRAPE_PRESETS['serving-endpoint']);
    expect(await t.token()).toBe(SECRET);
  });

  it('takes the token from an environment variable, and lets own rules replace the preset\'s for a metric', async () => {
    const [t] = loadScrapeTargets(file({ targets: [{ ...serving, bearerTokenFile: undefined, bearerTokenEnv: 'PAT', rules: [{ metric: 'request_rate', kind: 'gauge', series: { name: 'rps' } }] }] }), { PAT: SECRET });
    expect(await t.token()).toBe(SECRET);
    expect(t.rules.filter((r) => r.metric === 'request_rate')).toEqual([{ metric: 'request_rate', kind: 'gauge', series: { name: 'rps' } }]);
    expect(t.rules).toHaveLength(SCRAPE_PRESETS['serving-endpoint'].length);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a missing entity namespace', { targets: [{ ...serving, entity: { ...serving.entity, namespace: undefined } }] }, "INGESTION_SCRAPE_CONFIG_FILE targets[0] ('serving').entity.namespace", /Required/],
    ['a timeout above the interval', { targets: [{ ...serving, timeoutSeconds: 90 }] }, "INGESTION_SCRAPE_CONFIG_FILE targets[0] ('serving').timeoutSeconds", /must not exceed intervalSeconds/],
    ['both token sources', { targets: [{ ...serving, bearerTokenEnv: 'PAT' }] }, "INGESTION_SCRAPE_CONFIG_FILE targets[0] ('serving').bearerTokenEnv", /not both/],
    ['an unknown key', { targets: [{ ...serving, scheme: 'https' }] }, "INGESTION_SCRAPE_CONFIG_FILE targets[0] ('serving')", /Unrecognized key.*scheme/],
    ['credentials in the URL', { targets: [{ ...serving, url: 'https://user:pw@host/metrics' }] }, "INGESTION_SCRAPE_CONFIG_FILE targets[0] ('serving').url", /must not carry credentials/],
    ['a metric that is not canonical', { targets: [{ ...serving, rules: [{ metric: 'rps', kind: 'gauge', series: { name: 'x' } }] }] }, "INGESTION_SCRAPE_CONFIG_FILE targets[0] ('serving').rules[0].metric", /'rps' is not a canonical metric/],
    ['an invalid tenant', { targets: [{ ...serving, entity: { ...serving.entity, tenant: 'Acme Corp' } }] }, "INGESTION_SCRAPE_CONFIG_FILE targets[0] ('serving').entity.tenant", /tenant id/],
    ['no preset and no rules', { targets: [{ ...serving, preset: undefined }] }, "INGESTION_SCRAPE_CONFIG_FILE targets[0] ('serving').rules", /preset or rules/],
    ['a duplicate name', { targets: [serving, serving] }, "INGESTION_SCRAPE_CONFIG_FILE targets[1] ('serving').name", /used twice/],
    ['a client certificate without its key', { targets: [{ ...serving, tls: { certFile: '/x.pem' } }] }, "INGESTION_SCRAPE_CONFIG_FILE targets[0] ('serving').tls.certFile", /go together/],
  ])('names the key and the target for %s', (_, content, key, message) => {
    const error = configError(() => loadScrapeTargets(file(content), {}));
    expect(error.problems[0].key).toBe(key);
    expect(error.problems[0].message).toMatch(message);
  });

  it('names the file or variable of a token it cannot get, never the token', () => {
    const missingEnv = configError(() => loadScrapeTargets(file({ targets: [{ ...serving, bearerTokenFile: undefined, bearerTokenEnv: 'NOPE' }] }), {}));
    expect(missingEnv.message).toContain("targets[0] ('serving').bearerTokenEnv: environment variable NOPE is not set");
    const missingFile = configError(() => loadScrapeTargets(file({ targets: [{ ...serving, bearerTokenFile: join(dir, 'absent') }] }), {}));
    expect(missingFile.message).toMatch(/bearerTokenFile: cannot read .*absent: ENOENT/);
    const badTls = configError(() => loadScrapeTargets(file({ targets: [{ ...serving, tls: { caFile: join(dir, 'ca.pem') } }] }), {}));
    expect(badTls.message).toMatch(/tls\.caFile: cannot read .*ca\.pem: ENOENT/);
    const twoLines = configError(() => loadScrapeTargets(file({ targets: [{ ...serving, bearerTokenEnv: 'PAT', bearerTokenFile: undefined }] }), { PAT: `${SECRET}\nx` }));
    for (const error of [missingEnv, missingFile, badTls, twoLines]) expect(error.message).not.toContain(SECRET);
  });

  it('names the file that is missing or not JSON', () => {
    expect(configError(() => loadScrapeTargets(join(dir, 'nope.json'), {})).message).toMatch(/^invalid configuration: INGESTION_SCRAPE_CONFIG_FILE: cannot read .*nope\.json: ENOENT/);
    expect(configError(() => loadScrapeTargets(file('{"targets": ['), {})).message).toMatch(/INGESTION_SCRAPE_CONFIG_FILE: .* is not valid JSON/);
  });
});

describe('scrape config in the service config', () => {
  it('fails config validation itself, naming the key inside the file', () => {
    const bad = file({ targets: [{ ...serving, timeoutSeconds: 90 }] });
    const error = configError(() => loadConfig(z.object(scrapeConfigShape), { INGESTION_SCRAPE_CONFIG_FILE: bad }));
    expect(error.message).toBe("invalid configuration: INGESTION_SCRAPE_CONFIG_FILE: targets[0] ('serving').timeoutSeconds: must not exceed intervalSeconds (scrapes of one target never overlap)");
    expect(loadConfig(z.object(scrapeConfigShape), {})).toEqual({});
  });
});
