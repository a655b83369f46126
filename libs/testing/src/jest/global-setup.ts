import type { Config } from '@jest/types';
import { startInfrastructure } from '../infra/infrastructure';
import { createProjectTopics } from '../topics';

/**
 * Starts real Kafka and PostgreSQL once for the int and e2e tiers (not for unit specs alone) and
 * hands their addresses to the test workers through the environment. Failure to start fails the
 * run, loudly: no test is skipped for want of infrastructure.
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  if (onlyUnitSelected(globalConfig)) return;
  const started = Date.now();
  const infra = await startInfrastructure({ progress: (line) => process.stderr.write(`\n[infra] ${line}`) });
  process.stderr.write(`\n[infra] ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Kafka: ${infra.sources.kafka}, PostgreSQL: ${infra.sources.postgres})\n`);
  // The project creates its topics (auto-creation is off): do it once, before any test subscribes.
  await createProjectTopics(infra.kafkaBrokers);
  process.env.KAFKA_BROKERS = infra.kafkaBrokers;
  process.env.DATABASE_URL = infra.databaseUrl;
  (globalThis as { __prescientInfra?: typeof infra }).__prescientInfra = infra;
}

function onlyUnitSelected(globalConfig: Config.GlobalConfig): boolean {
  const fromConfig = (globalConfig as { selectProjects?: string[] }).selectProjects;
  const argv = process.argv;
  const at = argv.indexOf('--selectProjects');
  const fromArgv: string[] = [];
  for (let i = at + 1; at >= 0 && i < argv.length && !argv[i].startsWith('-'); i++) fromArgv.push(argv[i]);
  const selected = fromConfig && fromConfig.length > 0 ? fromConfig : fromArgv;
  return selected.length > 0 && selected.every((p) => p === 'unit');
}
