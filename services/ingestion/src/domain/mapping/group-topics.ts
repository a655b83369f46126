import { BoundedLru } from './bounded-lru';

/**
 * Which consumer groups read which topic, learnt from kafka-exporter's per-group series
 * (`kafka_consumergroup_lag` / `kafka_consumergroup_current_offset{consumergroup,topic,partition}`,
 * https://github.com/danielqsj/kafka_exporter#consumer-groups): a topic's growth
 * (`kafka_topic_partition_current_offset{topic,partition}`, which names no group) is the production
 * rate of every group that reads it. Bounded: at most `maxTopics` topics (LRU) × `maxGroupsPerTopic`;
 * a pairing not refreshed for `ttlMs` of sample time is forgotten.
 */
export class GroupTopics {
  private readonly topics: BoundedLru<string, Map<string, number>>;

  constructor(private readonly options: { maxTopics: number; maxGroupsPerTopic: number; ttlMs: number }) {
    this.topics = new BoundedLru(options.maxTopics);
  }

  get size(): number {
    return this.topics.size;
  }

  see(scope: string, topic: string, group: string, tsMs: number): void {
    const key = scope + '\u0000' + topic;
    let groups = this.topics.get(key);
    if (!groups) this.topics.set(key, (groups = new Map()));
    const prev = groups.get(group);
    if (prev === undefined && groups.size >= this.options.maxGroupsPerTopic) return;
    if (prev === undefined || tsMs > prev) groups.set(group, tsMs);
  }

  groupsOf(scope: string, topic: string, nowMs: number): string[] {
    const groups = this.topics.peek(scope + '\u0000' + topic);
    if (!groups) return [];
    const out: string[] = [];
    for (const [g, ts] of groups) {
      if (nowMs - ts > this.options.ttlMs) groups.delete(g);
      else out.push(g);
    }
    return out.sort();
  }

  expire(nowMs: number): void {
    for (const [k, groups] of this.topics.entries()) {
      for (const [g, ts] of groups) if (nowMs - ts > this.options.ttlMs) groups.delete(g);
      if (groups.size === 0) this.topics.delete(k);
    }
  }
}
