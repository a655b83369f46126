import { Consumer, IHeaders, Kafka, KafkaMessage, logLevel, Message, Partitioners, Producer } from 'kafkajs';
import { allTopicSpecs, deadLetterTopic, HEADERS, TopicSpec } from '@prescient/contracts';
import { extractTraceContext, injectTraceContext, ServiceMetrics, SpanKind, withSpan } from '@prescient/telemetry';
import { JsonLogger } from './logger';

/** How a topic's payload becomes a typed message; `validate` returns a problem, or undefined. */
export interface MessageCodec<T> {
  schema: string;
  encode(message: T): Uint8Array;
  decode(bytes: Uint8Array): T;
  validate?(message: T): string | undefined;
  /**
   * For envelopes of many items: separates the invalid items (given the header's tenant), so the
   * valid ones are handled and only the invalid ones go to the dead-letter topic, re-encoded.
   */
  sift?(message: T, headerTenant: string | undefined): Sifted<T>;
  /** True when sifting left nothing to handle. */
  isEmpty?(message: T): boolean;
}

export interface OutgoingMessage<T> {
  /** The entity key; where absent, `partition` must say where the message goes. */
  key?: string;
  /** An explicit partition (envelopes grouped by `partitionForKey`); wins over the key. */
  partition?: number;
  value: T;
  tenant: string;
}

/** What an envelope codec's `sift` returns: the items to handle, and those to dead-letter. */
export interface Sifted<T> {
  kept: T;
  rejected?: { message: T; reason: string; detail: string };
}

export interface IncomingMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  tenant: string | undefined;
}

export interface Subscription<T> {
  topic: string;
  groupId: string;
  codec: MessageCodec<T>;
  handle(message: T, meta: IncomingMeta): Promise<void>;
  /** Start from the earliest offset when the group has none (default true: lose nothing). */
  fromBeginning?: boolean;
}

/**
 * A consumer that folds messages into memory and writes them in bulk: `add` only buffers, `flush`
 * writes everything buffered, and the group's offsets are committed only once `flush` has resolved,
 * so a crash replays (never loses) what was not yet written. Flushes happen every `flushIntervalMs`,
 * after `maxBufferedMessages`, and before the consumer leaves its group on shutdown.
 */
export interface BufferedSubscription<T> {
  topic: string;
  groupId: string;
  codec: MessageCodec<T>;
  add(message: T, meta: IncomingMeta): void;
  flush(): Promise<void>;
  flushIntervalMs: number;
  maxBufferedMessages: number;
  fromBeginning?: boolean;
}

/** Messages gathered for one produce request, their bytes per topic and partition, and who waits on them. */
interface OutgoingGroup {
  byTopic: Map<string, Message[]>;
  bytes: Map<string, number>;
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
}

/** Bytes per partition one coalesced produce request carries at most (under the broker's 1 MiB batch cap). */
const MAX_COALESCED_BYTES = 768 * 1024;

/** Thrown inside a handler for a message that can never succeed: it goes to the dead-letter topic. */
export class PoisonMessageError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/**
 * The service's one door to Kafka: an idempotent producer (acks=all) and consumer groups that
 * decode with a codec, send what does not decode to `<topic>.dlq` with the reason, count it, and go
 * on. Trace context rides in the W3C headers; produce and consume are spans of their own.
 */
export class KafkaMessaging {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private stopping = false;
  private readonly consumers: Consumer[] = [];
  /** Flush-and-commit of each buffered subscription, run before its consumer leaves on shutdown. */
  private readonly finalFlushes = new Map<Consumer, () => Promise<void>>();
  private readonly rejected;
  private readonly consumed;
  private readonly published;
  private readonly partitionCounts = new Map<string, { count: number; fetchedAtMs: number }>();
  private readonly partitionCountRefreshes = new Map<string, Promise<number>>();
  /** Publishes waiting for the produce request in flight; see publishEncoded. */
  private readonly outgoing: OutgoingGroup[] = [];
  private sending = false;

  constructor(
    private readonly options: { brokers: string; clientId: string; replicationFactor: number },
    metrics: ServiceMetrics,
    private readonly logger: JsonLogger,
  ) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers.split(',').map((b) => b.trim()),
      logLevel: logLevel.WARN,
      logCreator: () => ({ level, log }) => {
        const line = `kafkajs ${log.message}`;
        // Retries are bounded on purpose (a write must fail fast enough to answer 503): not news.
        if (log.message.startsWith('Limiting retries for the idempotent producer')) return;
        if (level <= logLevel.ERROR) this.logger.error(line, { kafka: log }, 'Kafka');
        else this.logger.warn(line, 'Kafka');
      },
      // Bounded, so a write fails (and remote_write answers 503) instead of hanging on a dead broker.
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    this.rejected = metrics.counter('kafka_messages_rejected_total', 'Kafka messages that could not be decoded or validated, sent to the dead-letter topic', ['topic', 'reason']);
    this.consumed = metrics.counter('kafka_messages_consumed_total', 'Kafka messages consumed and handled', ['topic']);
    this.published = metrics.counter('kafka_messages_published_total', 'Kafka messages acknowledged by the broker', ['topic']);
  }

  /** Creates the project's topics with their partitions when missing (idempotent). */
  async ensureTopics(specs: TopicSpec[] = allTopicSpecs()): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((t) => !existing.has(t.name));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: t.name,
            numPartitions: t.partitions,
            replicationFactor: this.options.replicationFactor,
            configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
          })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** True when a broker answers metadata (readiness). */
  async ping(): Promise<boolean> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async connectProducer(): Promise<void> {
    if (this.producer) return;
    // Idempotent + acks=all: a send resolves only once every in-sync replica has it, exactly once.
    // The default (murmur2, Java-compatible) partitioner: keys land where Java clients would put them.
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    this.producer = producer;
  }

  /** Publishes and resolves when the broker has acknowledged every message (acks=all). */
  async publish<T>(topic: string, codec: MessageCodec<T>, messages: OutgoingMessage<T>[]): Promise<void> {
    await this.publishEncoded(topic, codec.schema, messages.map((m) => ({ ...m, value: Buffer.from(codec.encode(m.value)) })));
  }

  /**
   * Publishes payloads already encoded as `schema` (envelopes built without an intermediate object).
   * Concurrent publishes share produce requests: while one is in flight, the next callers' messages
   * gather and go out together when it returns (the idempotent producer sends one request at a
   * time). Each caller still resolves only once the broker has all of its own messages.
   */
  async publishEncoded(topic: string, schema: string, messages: OutgoingMessage<Buffer>[]): Promise<void> {
    if (!this.producer) throw new Error('producer is not connected');
    if (messages.length === 0) return;
    await withSpan(`${topic} publish`, {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.operation.type': 'publish', 'messaging.batch.message_count': messages.length },
    }, () => this.enqueue(topic, messages.map((m) => ({
      key: m.key ?? null,
      partition: m.partition,
      value: m.value,
      headers: injectTraceContext({ [HEADERS.tenant]: m.tenant, [HEADERS.schema]: schema, [HEADERS.producer]: this.options.clientId }),
    }))));
    this.published.inc({ topic }, messages.length);
  }

  private enqueue(topic: string, records: Message[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // A partition's records of one produce request form one record batch, which the broker caps
      // (message.max.bytes, 1 MiB by default): a group takes no partition past MAX_COALESCED_BYTES.
      // Records without an explicit partition may land on any: they count against every partition.
      const adding = new Map<string, number>();
      for (const r of records) {
        const bucket = `${topic}\u0000${r.partition ?? '*'}`;
        adding.set(bucket, (adding.get(bucket) ?? 0) + (r.value as Buffer).length);
      }
      const fits = (g: OutgoingGroup) => {
        const anyPartition = (g.bytes.get(`${topic}\u0000*`) ?? 0) + (adding.get(`${topic}\u0000*`) ?? 0);
        for (const [bucket, n] of adding) if ((g.bytes.get(bucket) ?? 0) + n + (bucket.endsWith('*') ? 0 : anyPartition) > MAX_COALESCED_BYTES) return false;
        return true;
      };
      let group = this.outgoing[this.outgoing.length - 1];
      if (!group || !fits(group)) this.outgoing.push((group = { byTopic: new Map(), bytes: new Map(), waiters: [] }));
      const list = group.byTopic.get(topic);
      if (list) list.push(...records);
      else group.byTopic.set(topic, records);
      for (const [bucket, n] of adding) group.bytes.set(bucket, (group.bytes.get(bucket) ?? 0) + n);
      group.waiters.push({ resolve, reject });
      if (!this.sending) void this.sendOutgoing();
    });
  }

  private async sendOutgoing(): Promise<void> {
    this.sending = true;
    try {
      for (let group = this.outgoing.shift(); group; group = this.outgoing.shift()) {
        try {
          if (!this.producer) throw new Error('producer is not connected');
          await this.producer.sendBatch({ acks: -1, topicMessages: [...group.byTopic].map(([topic, messages]) => ({ topic, messages })) });
          for (const w of group.waiters) w.resolve();
        } catch (error) {
          for (const w of group.waiters) w.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /**
   * The topic's partition count, as the broker reports it (cached a minute): what `partitionForKey`
   * needs to place entities where their keys would put them, even when an operator added partitions.
   * Concurrent callers share one metadata request; past the minute, callers keep the known count
   * while one refresh runs (partitions change rarely, and a request must not wait on an admin
   * connection every minute).
   */
  async partitionCount(topic: string): Promise<number> {
    const cached = this.partitionCounts.get(topic);
    if (cached && Date.now() - cached.fetchedAtMs < 60_000) return cached.count;
    let refresh = this.partitionCountRefreshes.get(topic);
    if (!refresh) {
      refresh = this.fetchPartitionCount(topic).finally(() => this.partitionCountRefreshes.delete(topic));
      this.partitionCountRefreshes.set(topic, refresh);
      if (cached) refresh.catch(() => undefined); // a failed refresh keeps the known count
    }
    return cached ? cached.count : refresh;
  }

  private async fetchPartitionCount(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const count = metadata.topics[0]?.partitions.length ?? 0;
      if (count < 1) throw new Error(`topic ${topic} has no partitions`);
      this.partitionCounts.set(topic, { count, fetchedAtMs: Date.now() });
      return count;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }


  async subscribe<T>(subscription: Subscription<T>): Promise<void> {
    const consumer = await this.joinGroup(subscription);
    await consumer.run({
      autoCommit: true,
      eachMessage: async ({ topic, partition, message }) => this.handleOne(subscription, topic, partition, message),
    });
  }

  /** A connected consumer of the group, subscribed to the topic, stopped with the service. */
  private async joinGroup(subscription: { groupId: string; topic: string; fromBeginning?: boolean }): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: subscription.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      // A consumer that crashed (broker gone) restarts itself, unless the service is stopping:
      // otherwise its reconnect loop would outlive the service.
      retry: { restartOnFailure: async () => !this.stopping },
    });
    await consumer.connect();
    await consumer.subscribe({ topic: subscription.topic, fromBeginning: subscription.fromBeginning ?? true });
    this.consumers.push(consumer);
    return consumer;
  }

  private async handleOne<T>(subscription: Subscription<T>, topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const { headers, meta } = incoming(topic, partition, message);
    await withSpan(`${topic} process`, processSpanOptions(subscription.groupId, topic, partition, message, headers), async () => {
      const decoded = await this.decodeOrDeadLetter(subscription, meta, message);
      if (decoded === undefined) return;
      try {
        await subscription.handle(decoded, meta);
      } catch (error) {
        if (!(error instanceof PoisonMessageError)) throw error; // transient: kafkajs retries from this offset
        await this.deadLetter(subscription.groupId, topic, partition, message, error.reason, error.message);
        return;
      }
      this.consumed.inc({ topic });
    });
  }

  /**
   * Decodes, validates and sifts a message; what can never be handled goes to the dead-letter topic
   * (for an envelope, only its invalid items) and undefined is returned.
   */
  private async decodeOrDeadLetter<T>(subscription: { groupId: string; codec: MessageCodec<T> }, meta: IncomingMeta, message: KafkaMessage): Promise<T | undefined> {
    const { topic, partition } = meta;
    let decoded: T;
    try {
      if (!message.value) throw new PoisonMessageError('empty_value', 'message has no value');
      decoded = subscription.codec.decode(message.value);
      const problem = subscription.codec.validate?.(decoded);
      if (problem) throw new PoisonMessageError('invalid', problem);
      if (meta.tenant !== undefined && (decoded as { entity?: { tenant?: string } }).entity?.tenant !== undefined &&
          (decoded as { entity: { tenant: string } }).entity.tenant !== meta.tenant) {
        throw new PoisonMessageError('tenant_mismatch', `header tenant '${meta.tenant}' differs from the payload's`);
      }
    } catch (error) {
      const reason = error instanceof PoisonMessageError ? error.reason : 'undecodable';
      await this.deadLetter(subscription.groupId, topic, partition, message, reason, (error as Error).message);
      return undefined;
    }
    if (subscription.codec.sift) {
      // Only the envelope's invalid items are dead-lettered; the others are handled as usual.
      const sifted = subscription.codec.sift(decoded, meta.tenant);
      if (sifted.rejected) {
        const { message: bad, reason, detail } = sifted.rejected;
        await this.deadLetter(subscription.groupId, topic, partition, { ...message, value: Buffer.from(subscription.codec.encode(bad)) }, reason, detail);
      }
      if (subscription.codec.isEmpty?.(sifted.kept)) return undefined;
      decoded = sifted.kept;
    }
    return decoded;
  }

  /** See BufferedSubscription. */
  async subscribeBuffered<T>(subscription: BufferedSubscription<T>): Promise<void> {
    const consumer = await this.joinGroup(subscription);
    // Next offset to commit per partition, for what has been added since the last flush.
    let pending = new Map<number, string>();
    let buffered = 0;
    let lastFlushMs = Date.now();
    let lock: Promise<void> = Promise.resolve();
    const flushAndCommit = (): Promise<void> => {
      const run = lock.then(async () => {
        if (buffered === 0 && pending.size === 0) return;
        const offsets = pending;
        pending = new Map();
        buffered = 0;
        lastFlushMs = Date.now();
        try {
          await subscription.flush();
        } catch (error) {
          // The subscription keeps what it could not write; so do we keep the offsets it covers.
          for (const [partition, offset] of offsets) if (!pending.has(partition)) pending.set(partition, offset);
          buffered += 1;
          throw error;
        }
        const topics = [...offsets].map(([partition, offset]) => ({ topic: subscription.topic, partition, offset }));
        await consumer.commitOffsets(topics).catch((e: Error) => this.logger.warn(`commit after flush failed (the rows are written; a replay may count some samples twice): ${e.message}`, 'Kafka'));
      });
      lock = run.catch(() => undefined);
      return run;
    };
    // On shutdown: stop fetching, write and commit what is held (the group must still be joined to
    // commit), then leave. A batch in hand at that moment is replayed by the next owner, not lost.
    this.finalFlushes.set(consumer, async () => {
      consumer.pause([{ topic: subscription.topic }]);
      await flushAndCommit();
    });
    const timer = setInterval(() => {
      if (Date.now() - lastFlushMs >= subscription.flushIntervalMs) flushAndCommit().catch((e: Error) => this.logger.error(`buffered flush failed: ${e.message}`, {}, 'Kafka'));
    }, Math.max(50, Math.floor(subscription.flushIntervalMs / 4)));
    timer.unref();
    consumer.on(consumer.events.DISCONNECT, () => clearInterval(timer));
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          const { headers, meta } = incoming(batch.topic, batch.partition, message);
          await withSpan(`${batch.topic} process`, processSpanOptions(subscription.groupId, batch.topic, batch.partition, message, headers), async () => {
            const decoded = await this.decodeOrDeadLetter(subscription, meta, message);
            await lock; // a flush in progress swaps the buffer first: add after it
            if (decoded !== undefined) {
              subscription.add(decoded, meta);
              buffered++;
              this.consumed.inc({ topic: batch.topic });
            }
            pending.set(batch.partition, (BigInt(message.offset) + 1n).toString());
          });
          resolveOffset(message.offset);
          if (buffered >= subscription.maxBufferedMessages) await flushAndCommit();
        }
        await heartbeat();
      },
    });
  }

  private async deadLetter(groupId: string, topic: string, partition: number, message: KafkaMessage, reason: string, detail: string): Promise<void> {
    this.rejected.inc({ topic, reason });
    this.logger.warn(`message ${topic}/${partition}@${message.offset} rejected (${reason}): ${detail}`, 'Kafka');
    if (!this.producer) await this.connectProducer();
    await this.producer!.send({
      topic: deadLetterTopic(topic),
      acks: -1,
      messages: [{
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [HEADERS.deadLetterReason]: `${reason}: ${detail}`.slice(0, 1000),
          [HEADERS.deadLetterSourceTopic]: topic,
          [HEADERS.deadLetterSourcePartition]: String(partition),
          [HEADERS.deadLetterSourceOffset]: message.offset,
          // Each consumer group that rejects a message writes its own copy: say whose this is.
          [HEADERS.deadLetterConsumerGroup]: groupId,
        },
      }],
    });
  }

  /** Consumers finish the message in hand, commit its offset and leave their groups. */
  async stopConsumers(): Promise<void> {
    this.stopping = true;
    for (const consumer of this.consumers.splice(0)) {
      // A buffered consumer stops fetching, writes what it holds and commits, then leaves.
      const flush = this.finalFlushes.get(consumer);
      if (flush) {
        await flush().catch((e: Error) => this.logger.error(`final flush failed (uncommitted messages will be replayed): ${e.message}`, {}, 'Kafka'));
        this.finalFlushes.delete(consumer);
      }
      await consumer.disconnect().catch((e: Error) => this.logger.error(`consumer disconnect: ${e.message}`, 'Kafka'));
    }
  }

  /** Stops consumers, then flushes and closes the producer. */
  async close(): Promise<void> {
    await this.stopConsumers();
    await this.producer?.disconnect().catch((e: Error) => this.logger.error(`producer disconnect: ${e.message}`, 'Kafka'));
    this.producer = undefined;
  }

  /** The admin client, for services that read consumer-group offsets. */
  admin() {
    return this.kafka.admin();
  }
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? String(value[0]) : value.toString();
  }
  return out;
}

/** A received message's headers as strings, and what a handler is told about it. */
function incoming(topic: string, partition: number, message: KafkaMessage): { headers: Record<string, string>; meta: IncomingMeta } {
  const headers = headersToStrings(message.headers);
  return { headers, meta: { topic, partition, offset: message.offset, key: message.key?.toString(), tenant: headers[HEADERS.tenant] } };
}

function processSpanOptions(groupId: string, topic: string, partition: number, message: KafkaMessage, headers: Record<string, string>) {
  return {
    kind: SpanKind.CONSUMER,
    parent: extractTraceContext(headers),
    attributes: {
      'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.operation.type': 'process',
      'messaging.consumer.group.name': groupId, 'messaging.destination.partition.id': String(partition), 'messaging.kafka.offset': Number(message.offset),
    },
  };
}
