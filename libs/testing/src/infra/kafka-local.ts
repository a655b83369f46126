import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { commandExists, ManagedProcess } from './managed-process';
import { cacheDir, logDir, REPO_ROOT, scratchDir } from './paths';
import { freePort, waitUntil } from './ports';

export const KAFKA_VERSION = '3.9.1';
const POM = join(REPO_ROOT, 'deploy', 'local', 'kafka', 'pom.xml');

export interface LocalKafka {
  brokers: string;
  logFile: string;
  stop(): Promise<void>;
}

type Progress = (line: string) => void;

/**
 * Resolves Kafka's jars with Maven into the git-ignored cache, once; later runs reuse them.
 * Failure names the cause: no Maven, or the registry refused.
 */
export function ensureKafkaJars(progress: Progress): string {
  const libs = cacheDir(`kafka-${KAFKA_VERSION}`, 'libs');
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return libs;
  if (!commandExists('mvn')) {
    throw new Error('Kafka jars are not cached and Maven (mvn) is not installed: install Maven, or set KAFKA_BROKERS to a running broker');
  }
  progress(`downloading Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs} (once) …`);
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-f', POM, `-Dkafka.version=${KAFKA_VERSION}`, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) {
    throw new Error(`Maven could not resolve Kafka ${KAFKA_VERSION} (download refused or offline):\n${(result.stdout + result.stderr).slice(-3000)}`);
  }
  const jars = readdirSync(libs).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => f.startsWith('kafka_2.13-'))) throw new Error(`Maven finished but ${libs} has no kafka_2.13 jar`);
  writeFileSync(marker, `${jars.length} jars\n`);
  progress(`Kafka jars ready (${jars.length} jars)`);
  return libs;
}

function requireJava(): void {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    throw new Error('Java is not installed (needed to run the local Kafka broker): install a JDK 17+, or set KAFKA_BROKERS');
  }
}

/** One broker in KRaft combined mode (broker + controller), on free loopback ports. */
export async function startLocalKafka(progress: Progress = () => undefined): Promise<LocalKafka> {
  requireJava();
  const libs = ensureKafkaJars(progress);
  const dir = scratchDir('kafka');
  const [port, controllerPort] = [await freePort(), await freePort()];
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    // One broker: internal topics cannot replicate; topics are created by the project, never implicitly.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=6',
    '',
  ].join('\n'));
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(log4j, [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka=INFO',
    'log4j.logger.org.apache.kafka=WARN',
    '',
  ].join('\n'));
  const logFile = join(logDir(), `kafka-${port}.log`);
  const classpath = `${libs}/*`;
  const jvm = ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${log4j}`, '-cp', classpath];

  // --cluster-id=… because a base64url id may start with '-', which argparse would take for a flag.
  const clusterId = randomBytes(16).toString('base64url');
  const format = spawnSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', properties], { encoding: 'utf8' });
  if (format.status !== 0) throw new Error(`Kafka storage format failed:\n${format.stdout}${format.stderr}`);

  progress(`starting Kafka ${KAFKA_VERSION} (KRaft) on 127.0.0.1:${port}, log ${logFile}`);
  const broker = new ManagedProcess({ name: 'kafka', command: 'java', args: [...jvm, 'kafka.Kafka', properties], logFile, stopTimeoutMs: 20000 });
  const brokers = `127.0.0.1:${port}`;
  try {
    await waitUntil(`Kafka at ${brokers}`, () => kafkaAnswers(brokers), { timeoutMs: 90000, intervalMs: 500, abort: () => broker.exitReason() });
  } catch (error) {
    await broker.stop();
    throw error;
  }
  progress(`Kafka ready at ${brokers}`);
  return { brokers, logFile, stop: async () => { await broker.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

/** Ready means the broker answers metadata and the controller has registered it. */
export async function kafkaAnswers(brokers: string): Promise<boolean> {
  const admin = new Kafka({ clientId: 'prescient-readiness', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
