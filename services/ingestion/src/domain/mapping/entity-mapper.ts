import { EntityRef, entityKey, workloadRef } from '@prescient/contracts';
import { BoundedLru } from './bounded-lru';
import { GroupTopics } from './group-topics';
import { MappingLabel, labelValue, seriesHash } from './labels';
import { MappingStats, UnmappedReason, emptyStats } from './mapping-stats';
import { OwnerIndex, scopeKey } from './owner-index';
import { SeriesStates } from './series-state';
import { DATA_SOURCES, INDEX_SOURCES, Route, SourceContext, Target, learnFromDataSeries, nodeRef } from './sources';
import { AccumulatorId, Cell, Piece, applyPiece, finalizeStep, newCell, splitInterval, stepStart } from './step-cells';

/** A series as remote_write decodes it (DecodedSeries fits; `stale` marks Prometheus' stale NaN). */
export interface MappingInputSeries {
  readonly metricName: string;
  readonly labels: readonly MappingLabel[];
  readonly samples: readonly { readonly timestampMs: number; readonly value: number; readonly stale?: boolean }[];
}

/**
 * Samples of series no source reads (`isSourceMetric` false), left out by a caller that filtered
 * them before handing series over (a decode thread): counted as `unknown_metric`, and their newest
 * timestamp still advances the cluster's clock, as if the series had been passed in.
 */
export interface UnreadSamples {
  /** The series' `cluster` label, if any. */
  readonly cluster: string | undefined;
  readonly samples: number;
  /** Newest finite sample's timestamp (-Infinity when none). */
  readonly maxTimestampMs: number;
}

/** The newest timestamp among a series' samples with a finite value and a safe-integer time; -Infinity when none. */
export function newestUsableTimestamp(samples: readonly { readonly timestampMs: number; readonly value: number }[]): number {
  let max = -Infinity;
  for (const p of samples) if (Number.isFinite(p.value) && Number.isSafeInteger(p.timestampMs) && p.timestampMs > max) max = p.timestampMs;
  return max;
}

/** One canonical value of one entity for one step; `timestampMs` is the step's start. */
export interface EntitySample {
  entity: EntityRef;
  metric: string;
  timestampMs: number;
  value: number;
}

export interface MappingResult {
  /** Values of the steps closed by this call, in closing order. */
  samples: EntitySample[];
  stats: MappingStats;
}

export interface EntityMapperOptions {
  /** Cluster of series without a `cluster` label. */
  defaultCluster: string;
  /** Grid the values are aligned to (default 5 minutes). */
  stepMs: number;
  /**
   * A step of an entity closes once a sample of that entity at least this far past the step's end
   * has been seen (default 1 minute): remote_write shards deliver series out of step with each
   * other, and the pods of one workload must meet in the same step. `flush(now)` closes regardless.
   */
  closeDelayMs: number;
  /** Two samples of a series further apart than this are not bridged (default 5 minutes, PromQL's lookback). */
  maxSampleGapMs: number;
  /** Owner/node entries not refreshed for this long (sample time) are forgotten (default 15 minutes). */
  ownerTtlMs: number;
  /** Cap of each of the owner index's five maps (pods, ReplicaSets, Jobs, nodes, node IPs). */
  maxOwnerEntries: number;
  /** Cap of the series whose previous sample is kept (counters and gauges). */
  maxSeries: number;
  /** How long (sample time) a sample waits for its pod's owner or its node before it is given up. */
  pendingHoldMs: number;
  /** Cap of samples waiting for an owner/node; the oldest are given up first. */
  maxPendingSamples: number;
  /** Cap of entities with open steps; the least recently fed is closed early (emitted, not lost). */
  maxOpenEntities: number;
  /** Open steps per entity beyond which the oldest is closed early (backfilled or stuck entities). */
  maxOpenStepsPerEntity: number;
  /** Cap of topics in the topic → consumer-groups index, and of groups per topic. */
  maxTopics: number;
  maxGroupsPerTopic: number;
}

export const DEFAULT_MAPPER_OPTIONS: Readonly<Omit<EntityMapperOptions, 'defaultCluster'>> = {
  stepMs: 300_000,
  closeDelayMs: 60_000,
  maxSampleGapMs: 300_000,
  ownerTtlMs: 900_000,
  maxOwnerEntries: 100_000,
  maxSeries: 300_000,
  pendingHoldMs: 120_000,
  maxPendingSamples: 20_000,
  maxOpenEntities: 50_000,
  maxOpenStepsPerEntity: 4,
  maxTopics: 10_000,
  maxGroupsPerTopic: 64,
};

export interface MapperSizes {
  pods: number;
  replicaSets: number;
  jobs: number;
  nodes: number;
  nodeIps: number;
  series: number;
  pendingSamples: number;
  openEntities: number;
  topics: number;
}

interface EntityState {
  key: string;
  entity: EntityRef;
  watermarkMs: number;
  /** Steps starting before this are closed: a piece for them is late. */
  closedBeforeMs: number;
  steps: Map<number, Map<AccumulatorId, Cell>>;
}

type WaitTarget = Extract<Target, { kind: 'pod' | 'host' }>;

interface PendingItem {
  tsMs: number;
  pieces: Piece[];
  /** False for a sample's secondary target (a GPU's node): the sample was counted elsewhere. */
  counted: boolean;
}

interface PendingGroup {
  tenant: string;
  cluster: string;
  scope: string;
  target: WaitTarget;
  items: PendingItem[];
  /** OwnerIndex.version at the last failed lookup: no new topology, no new answer. */
  triedAt: number;
}

interface Call {
  samples: EntitySample[];
  stats: MappingStats;
  touched: Set<string>;
}

type Delivery = 'used' | 'late' | 'held';

// Maps, not the exported records: a metric named `constructor` must not find Object's.
const INDEXERS = new Map(Object.entries(INDEX_SOURCES));
const CLASSIFIERS = new Map(Object.entries(DATA_SOURCES));

/**
 * Raw exporter series → canonical per-entity values on a fixed step grid. Stateful but pure: no
 * clock, no I/O; time is the samples' timestamps (and `flush(nowMs)`'s argument). Not safe to call
 * re-entrantly; one instance serves every tenant (all state is keyed by tenant and cluster).
 *
 * Per write: (1) topology series (owners, pod/node info, last termination reasons) update the
 * indexes; (2) samples held for an unknown owner/node are retried; (3) data series become pieces
 * (counter increases, gauge intervals, spec values) delivered to their entity's open step, or held;
 * (4) steps whose entity has moved `closeDelayMs` past their end are closed and emitted.
 *
 * Not transactional: a write's samples move state forward when it is ingested, and the values it
 * emits are returned once. A caller that fails to publish them must keep and retry them itself — a
 * retried write is mostly `out_of_order` (which is what keeps it from counting twice). Open steps
 * live in memory only. Bounds and measured bytes per entry: MAPPING.md.
 */
export class EntityMapper {
  readonly options: Readonly<EntityMapperOptions>;
  private readonly owners: OwnerIndex;
  private readonly groups: GroupTopics;
  private readonly states: SeriesStates;
  private readonly entities: BoundedLru<string, EntityState>;
  private readonly scopeWatermarks = new BoundedLru<string, number>(10_000);
  private readonly pending = new Map<string, PendingGroup>();
  private pendingItems = 0;
  private pendingCounted = 0;
  private call: Call | undefined;

  constructor(options: Partial<EntityMapperOptions> & { defaultCluster: string }) {
    const o: EntityMapperOptions = { ...DEFAULT_MAPPER_OPTIONS, ...options };
    for (const [k, v] of Object.entries(o)) {
      if (k === 'defaultCluster') continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < (k === 'closeDelayMs' ? 0 : 1)) throw new RangeError(`${k} must be a ${k === 'closeDelayMs' ? 'non-negative' : 'positive'} integer, got ${v}`);
    }
    if (!o.defaultCluster) throw new RangeError('defaultCluster must not be empty');
    this.options = Object.freeze(o);
    this.owners = new OwnerIndex({ maxEntries: o.maxOwnerEntries, ttlMs: o.ownerTtlMs });
    this.groups = new GroupTopics({ maxTopics: o.maxTopics, maxGroupsPerTopic: o.maxGroupsPerTopic, ttlMs: o.ownerTtlMs });
    this.states = new SeriesStates({ maxSeries: o.maxSeries, maxGapMs: o.maxSampleGapMs });
    this.entities = new BoundedLru(o.maxOpenEntities, (_k, state) => this.closeAll(state));
  }

  sizes(): MapperSizes {
    return { ...this.owners.size, series: this.states.size, pendingSamples: this.pendingItems, openEntities: this.entities.size, topics: this.groups.size };
  }

  /** One remote_write request of `tenant`; `unread`: what the caller left out of `series` (see UnreadSamples). */
  ingest(tenant: string, series: readonly MappingInputSeries[], unread: readonly UnreadSamples[] = []): MappingResult {
    const call = this.begin();
    try {
      for (const u of unread) {
        const scope = scopeKey(tenant, u.cluster ?? this.options.defaultCluster);
        call.stats.samplesIn += u.samples;
        call.stats.unmapped.unknown_metric += u.samples;
        if (u.maxTimestampMs > (this.scopeWatermarks.peek(scope) ?? -Infinity)) this.scopeWatermarks.set(scope, u.maxTimestampMs);
      }
      const scoped = series.map((s) => {
        const cluster = labelValue(s.labels, 'cluster') ?? this.options.defaultCluster;
        const scope = scopeKey(tenant, cluster);
        call.stats.samplesIn += s.samples.length;
        const max = newestUsableTimestamp(s.samples);
        if (max > -Infinity && max > (this.scopeWatermarks.peek(scope) ?? -Infinity)) this.scopeWatermarks.set(scope, max);
        return { s, cluster, scope, maxTs: max };
      });

      // 1. Topology first, so that owners arriving with their pods' samples resolve them at once.
      const data: typeof scoped = [];
      for (const item of scoped) {
        const { s, cluster, scope, maxTs } = item;
        const indexer = INDEXERS.get(s.metricName);
        const ctx = this.ctx(tenant, cluster, scope);
        if (indexer) {
          for (const p of s.samples) {
            if (p.stale || !Number.isFinite(p.value) || !Number.isSafeInteger(p.timestampMs)) this.count('non_finite');
            else this.count(indexer(s.labels, p.value, p.timestampMs, ctx));
          }
        } else if (CLASSIFIERS.has(s.metricName)) {
          if (maxTs > -Infinity) learnFromDataSeries(s.metricName, s.labels, maxTs, ctx);
          data.push(item);
        } else {
          call.stats.unmapped.unknown_metric += s.samples.length;
        }
      }

      // 2. Samples waiting for an owner or a node.
      this.retryPending(undefined);

      // 3. Values.
      for (const { s, cluster, scope } of data) this.mapSeries(tenant, cluster, scope, s);

      // 4. Steps that are complete.
      for (const key of call.touched) {
        const state = this.entities.peek(key);
        if (state) this.closeReady(state, state.watermarkMs - this.options.closeDelayMs);
      }
      return this.end(call);
    } finally {
      this.call = undefined;
    }
  }

  /**
   * Closes every open step that ended by `nowMs`, gives up held samples older than the hold time
   * and forgets state not refreshed within its TTL — all against `nowMs`. Call it on a timer (with
   * the wall clock less a margin) so an entity that stopped reporting still gets its last steps,
   * and with `Infinity` at shutdown to emit everything.
   */
  flush(nowMs: number): MappingResult {
    const call = this.begin();
    try {
      this.retryPending(nowMs);
      for (const state of [...this.entities.values()]) {
        this.closeReady(state, nowMs);
        if (state.steps.size === 0 && nowMs - state.watermarkMs > this.options.ownerTtlMs) this.entities.delete(state.key);
      }
      this.owners.expire(nowMs);
      this.groups.expire(nowMs);
      this.states.expire(nowMs);
      return this.end(call);
    } finally {
      this.call = undefined;
    }
  }

  private begin(): Call {
    if (this.call) throw new Error('EntityMapper is not re-entrant');
    this.call = { samples: [], stats: emptyStats(), touched: new Set() };
    return this.call;
  }

  private end(call: Call): MappingResult {
    call.stats.held = this.pendingCounted;
    return { samples: call.samples, stats: call.stats };
  }

  private ctx(tenant: string, cluster: string, scope: string): SourceContext {
    return { tenant, cluster, scope, nowMs: this.scopeWatermarks.peek(scope) ?? -Infinity, owners: this.owners, groups: this.groups };
  }

  private count(outcome: UnmappedReason | 'used', n = 1): void {
    const stats = (this.call as Call).stats;
    if (outcome === 'used') stats.used += n;
    else stats.unmapped[outcome] += n;
  }

  private mapSeries(tenant: string, cluster: string, scope: string, s: MappingInputSeries): void {
    const ctx = this.ctx(tenant, cluster, scope);
    const classify = CLASSIFIERS.get(s.metricName);
    if (!classify) return;
    const route = classify(s.labels, ctx);
    if (typeof route === 'string') {
      this.count(route, s.samples.length);
      return;
    }
    const stateful = route.value.type !== 'last' && route.value.type !== 'podLast';
    const key = stateful ? seriesHash(tenant, s.metricName, s.labels) : '';
    // Targets resolve once per series: every sample of a series names the same entity.
    const targets = route.targets.map((t) => this.resolve(tenant, cluster, scope, t, ctx.nowMs));
    for (const p of s.samples) {
      if (!Number.isSafeInteger(p.timestampMs)) {
        this.count('non_finite');
        continue;
      }
      if (p.stale || !Number.isFinite(p.value)) {
        this.count('non_finite');
        // A stale marker ends the series: a gauge's last value held until the marker still counts.
        if (p.stale && stateful) {
          const last = this.states.end(key, p.timestampMs);
          if (last && route.value.type === 'gauge') this.deliver(targets, this.spanPieces(route.value.acc, last.fromMs, last.toMs, last.value * route.value.scale * (last.toMs - last.fromMs)), p.timestampMs, false);
        }
        continue;
      }
      const pieces = this.piecesFor(route, key, scope, p.timestampMs, p.value, ctx.nowMs);
      if (typeof pieces === 'string') this.count(pieces);
      else if (pieces.length === 0) this.count('used');
      else {
        const outcome = this.deliver(targets, pieces, p.timestampMs, true);
        if (outcome !== 'held') this.count(outcome);
      }
    }
  }

  private piecesFor(route: Route, key: string, scope: string, tsMs: number, value: number, nowMs: number): Piece[] | 'out_of_order' | 'excluded' {
    const v = route.value;
    const step = stepStart(tsMs, this.options.stepMs);
    switch (v.type) {
      case 'counterRate': {
        if (v.rejectNegative && value < 0) return 'excluded';
        const o = this.states.counter(key, tsMs, value);
        if (o.status !== 'interval') return o.status === 'out_of_order' ? o.status : [];
        return this.counterPieces([v.acc], o.fromMs, o.toMs, o.increase);
      }
      case 'nodeCpu': {
        const o = this.states.counter(key, tsMs, value);
        if (o.status !== 'interval') return o.status === 'out_of_order' ? o.status : [];
        return this.counterPieces(v.idle ? ['nodeCpuAll', 'nodeCpuIdle'] : ['nodeCpuAll'], o.fromMs, o.toMs, o.increase);
      }
      case 'counterCount': {
        const o = this.states.counter(key, tsMs, value);
        if (o.status !== 'interval') return o.status === 'out_of_order' ? o.status : [];
        return o.increase > 0 ? [{ step, acc: v.acc, op: 'count', value: o.increase }] : [];
      }
      case 'ksmRestarts': {
        const o = this.states.counter(key, tsMs, value);
        if (o.status !== 'interval') return o.status === 'out_of_order' ? o.status : [];
        const c = route.pod;
        if (o.increase > 0 && c && this.owners.isLastTerminationOom(scope, c.namespace, c.pod, c.container, nowMs)) return [{ step, acc: 'oomKsm', op: 'count', value: o.increase }];
        return [];
      }
      case 'gauge': {
        if (v.rejectNegative && value < 0) return 'excluded';
        const o = this.states.gauge(key, tsMs, value);
        if (o.status === 'out_of_order') return o.status;
        const pieces = o.status === 'interval' ? this.spanPieces(v.acc, o.fromMs, o.toMs, o.value * v.scale * (o.toMs - o.fromMs)) : [];
        if (v.podMaxAcc && route.pod) pieces.push({ step, acc: v.podMaxAcc, op: 'podMax', pod: route.pod.namespace + '/' + route.pod.pod, container: route.pod.container, value: value * v.scale, tsMs });
        return pieces;
      }
      case 'podLast':
        if (!route.pod) return [];
        return [{ step, acc: v.acc, op: 'podLast', pod: route.pod.namespace + '/' + route.pod.pod, container: route.pod.container, value, tsMs }];
      case 'last':
        return [{ step, acc: v.acc, op: 'last', value, tsMs }];
    }
  }

  /** A counter's increase over [from, to), shared between the steps it spans in proportion to time. */
  private counterPieces(accs: AccumulatorId[], fromMs: number, toMs: number, increase: number): Piece[] {
    const out: Piece[] = [];
    for (const seg of splitInterval(fromMs, toMs, this.options.stepMs)) {
      const share = (increase * (seg.toMs - seg.fromMs)) / (toMs - fromMs);
      for (const acc of accs) out.push({ step: seg.step, acc, op: 'span', value: share, fromMs: seg.fromMs, toMs: seg.toMs });
    }
    return out;
  }

  /** `total` (value × ms) over [from, to), shared between steps in proportion to time. */
  private spanPieces(acc: AccumulatorId, fromMs: number, toMs: number, total: number): Piece[] {
    return splitInterval(fromMs, toMs, this.options.stepMs).map((seg) => ({ step: seg.step, acc, op: 'span' as const, value: (total * (seg.toMs - seg.fromMs)) / (toMs - fromMs), fromMs: seg.fromMs, toMs: seg.toMs }));
  }

  private resolve(tenant: string, cluster: string, scope: string, target: Target, nowMs: number): { entity: EntityRef; key: string } | { wait: string; group: Omit<PendingGroup, 'items' | 'triedAt'> } {
    if (target.kind === 'entity') return { entity: target.entity, key: entityKey(target.entity) };
    const entity = this.lookup(tenant, cluster, scope, target, nowMs);
    if (entity) return { entity, key: entityKey(entity) };
    const wait = target.kind === 'pod' ? `p\u0000${scope}\u0000${target.namespace}\u0000${target.pod}` : `h\u0000${scope}\u0000${target.hosts.join('\u0000')}`;
    return { wait, group: { tenant, cluster, scope, target } };
  }

  private lookup(tenant: string, cluster: string, scope: string, target: WaitTarget, nowMs: number): EntityRef | undefined {
    if (target.kind === 'pod') {
      const owner = this.owners.resolvePod(scope, target.namespace, target.pod, nowMs);
      return owner && workloadRef(tenant, cluster, target.namespace, owner.workloadKind, owner.name);
    }
    for (const host of target.hosts) {
      const node = this.owners.resolveHost(scope, host, nowMs);
      if (node) return nodeRef({ tenant, cluster }, node);
    }
    return undefined;
  }

  /** Gives `pieces` to every target; the outcome is the first target's (the sample's count). */
  private deliver(targets: ReturnType<EntityMapper['resolve']>[], pieces: Piece[], tsMs: number, counted: boolean): Delivery {
    let outcome: Delivery = 'used';
    targets.forEach((t, i) => {
      const primary = i === 0 && counted;
      let o: Delivery;
      if ('entity' in t) o = this.apply(t.key, t.entity, pieces, tsMs) ? 'used' : 'late';
      else {
        this.hold(t.wait, t.group, { tsMs, pieces, counted: primary });
        o = 'held';
      }
      if (i === 0) outcome = o;
    });
    return outcome;
  }

  /** True when at least one piece landed in an open step. */
  private apply(key: string, entity: EntityRef, pieces: Piece[], tsMs: number): boolean {
    let state = this.entities.get(key);
    if (!state) {
      state = { key, entity, watermarkMs: tsMs, closedBeforeMs: -Infinity, steps: new Map() };
      this.entities.set(key, state);
    }
    if (tsMs > state.watermarkMs) state.watermarkMs = tsMs;
    (this.call as Call).touched.add(key);
    let applied = false;
    for (const p of pieces) {
      if (p.step < state.closedBeforeMs) continue;
      let cells = state.steps.get(p.step);
      if (!cells) state.steps.set(p.step, (cells = new Map()));
      let cell = cells.get(p.acc);
      if (!cell) cells.set(p.acc, (cell = newCell()));
      applyPiece(cell, p);
      applied = true;
    }
    return applied;
  }

  private hold(wait: string, group: Omit<PendingGroup, 'items' | 'triedAt'>, item: PendingItem): void {
    while (this.pendingItems >= this.options.maxPendingSamples) this.dropOldestPending();
    let g = this.pending.get(wait);
    if (!g) this.pending.set(wait, (g = { ...group, items: [], triedAt: this.owners.version }));
    g.items.push(item);
    this.pendingItems++;
    if (item.counted) this.pendingCounted++;
  }

  private dropOldestPending(): void {
    const first = this.pending.entries().next();
    if (first.done) return;
    const [wait, g] = first.value;
    const item = g.items.shift();
    if (item) this.forget(item, 'pending_overflow');
    if (g.items.length === 0) this.pending.delete(wait);
  }

  private forget(item: PendingItem, reason: UnmappedReason): void {
    this.pendingItems--;
    if (item.counted) {
      this.pendingCounted--;
      this.count(reason);
    }
  }

  /** Delivers what can now be resolved; gives up what waited longer than the hold time. */
  private retryPending(nowOverride: number | undefined): void {
    for (const [wait, g] of this.pending) {
      const scopeNow = this.scopeWatermarks.peek(g.scope) ?? -Infinity;
      const now = nowOverride === undefined ? scopeNow : Math.max(scopeNow, nowOverride);
      const entity = g.triedAt === this.owners.version ? undefined : this.lookup(g.tenant, g.cluster, g.scope, g.target, scopeNow);
      g.triedAt = this.owners.version;
      if (entity) {
        const key = entityKey(entity);
        for (const item of g.items) {
          const landed = this.apply(key, entity, item.pieces, item.tsMs);
          this.pendingItems--;
          if (item.counted) {
            this.pendingCounted--;
            this.count(landed ? 'used' : 'late');
          }
        }
        this.pending.delete(wait);
        continue;
      }
      const reason: UnmappedReason = g.target.kind === 'pod' ? 'owner_unknown' : 'node_unknown';
      while (g.items.length > 0 && now - g.items[0].tsMs > this.options.pendingHoldMs) this.forget(g.items.shift() as PendingItem, reason);
      if (g.items.length === 0) this.pending.delete(wait);
    }
  }

  /** Closes the steps that ended by `limitMs`, then the oldest beyond the per-entity cap. */
  private closeReady(state: EntityState, limitMs: number): void {
    if (state.steps.size === 0) return;
    const steps = [...state.steps.keys()].sort((a, b) => a - b);
    let open = steps.length;
    for (const step of steps) {
      if (step + this.options.stepMs <= limitMs || open > this.options.maxOpenStepsPerEntity) {
        this.closeStep(state, step);
        open--;
      } else break;
    }
  }

  private closeAll(state: EntityState): void {
    for (const step of [...state.steps.keys()].sort((a, b) => a - b)) this.closeStep(state, step);
  }

  private closeStep(state: EntityState, step: number): void {
    const cells = state.steps.get(step);
    state.steps.delete(step);
    state.closedBeforeMs = Math.max(state.closedBeforeMs, step + this.options.stepMs);
    if (!cells) return;
    const call = this.call as Call;
    const { outputs, incomplete } = finalizeStep(cells);
    call.stats.stepsClosed++;
    call.stats.incompleteSteps += incomplete;
    for (const o of outputs) call.samples.push({ entity: state.entity, metric: o.metric, timestampMs: step, value: o.value });
  }
}
