import type {
  DecodedSample,
  DecodedSeries,
  DecodedWriteRequest,
  Label,
  RemoteWriteLimits,
} from './decoded-write-request';
import type { ByteRange } from './byte-keys';
import { LabelInterner, NOT_UTF8 } from './label-interner';
import type { CachedLabelSet } from './label-set-cache';
import { METRIC_NAME_LABEL, isValidMetricName } from './prometheus-names';
import { ProtoCursor, WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './proto-cursor';
import { RemoteWriteDecodeError, quoteForMessage } from './remote-write-decode-error';
import { decompressSnappyBlock } from './snappy-block';
import { isStaleMarkerAt } from './stale-marker';
import { decodeUtf8OrNull } from './utf8';

// Tags (field << 3 | wire type) of prompb.WriteRequest / TimeSeries / Label / Sample.
const WRITE_REQUEST_TIMESERIES = (1 << 3) | WIRE_LENGTH_DELIMITED;
const WRITE_REQUEST_METADATA = (3 << 3) | WIRE_LENGTH_DELIMITED;
const TIMESERIES_LABELS = (1 << 3) | WIRE_LENGTH_DELIMITED;
const TIMESERIES_SAMPLES = (2 << 3) | WIRE_LENGTH_DELIMITED;
const TIMESERIES_EXEMPLARS = (3 << 3) | WIRE_LENGTH_DELIMITED;
const TIMESERIES_HISTOGRAMS = (4 << 3) | WIRE_LENGTH_DELIMITED;
const LABEL_NAME = (1 << 3) | WIRE_LENGTH_DELIMITED;
const LABEL_VALUE = (2 << 3) | WIRE_LENGTH_DELIMITED;
const SAMPLE_VALUE = (1 << 3) | WIRE_FIXED64;
const SAMPLE_TIMESTAMP = (2 << 3) | WIRE_VARINT;

/** Values longer than this are decoded directly: caching them would cost memory for little reuse. */
const MAX_INTERNED_VALUE_BYTES = 512;

export interface DecodeRemoteWriteOptions {
  /** Reuse one across requests so repeated label strings are built and validated once per process. */
  readonly interner?: LabelInterner;
}

/**
 * Decodes and validates a Prometheus remote_write 1.0 body (snappy block of prompb.WriteRequest).
 * Throws only RemoteWriteDecodeError; every limit is enforced before the work it bounds.
 */
export function decodeRemoteWrite(
  body: Uint8Array,
  limits: RemoteWriteLimits,
  options: DecodeRemoteWriteOptions = {},
): DecodedWriteRequest {
  if (body.length > limits.maxCompressedBytes) {
    throw new RemoteWriteDecodeError(
      'body_too_large',
      `request body is ${body.length} bytes, over the limit of ${limits.maxCompressedBytes}`,
    );
  }
  const message = decompressSnappyBlock(body, limits.maxDecompressedBytes);
  return decodeWriteRequestMessage(message, limits, options);
}

/** Decodes the protobuf WriteRequest alone (already decompressed). */
export function decodeWriteRequestMessage(
  message: Uint8Array,
  limits: RemoteWriteLimits,
  options: DecodeRemoteWriteOptions = {},
): DecodedWriteRequest {
  // Without a caller-owned interner, one request sees each series once: label sets would never hit.
  const interner = options.interner ?? new LabelInterner({ cacheLabelSets: false });
  return new WriteRequestDecoder(message, limits, interner).decode();
}

/** One-shot decoder: the cursor plus the per-request state that error messages and counters need. */
class WriteRequestDecoder extends ProtoCursor {
  private readonly series: DecodedSeries[] = [];
  private readonly source: ByteRange;
  private seriesIndex = -1;
  private sampleCount = 0;
  private staleMarkerCount = 0;
  private emptySeriesSkipped = 0;
  private histogramsSkipped = 0;
  private exemplarsSkipped = 0;
  private metadataSkipped = 0;
  // Per-series state, reset by each series' decode.
  private samples: DecodedSample[] | null = null;
  /** Set by decodeLabel when the label was a non-empty __name__. */
  private metricName = '';
  private longestName = 0;
  private longestValue = 0;
  /** Label fields leadingLabelsEnd found before the series' first other field. */
  private leadingLabels = 0;

  constructor(
    message: Uint8Array,
    private readonly limits: RemoteWriteLimits,
    private readonly interner: LabelInterner,
  ) {
    super(message);
    this.source = { bytes: message, view: this.view };
  }

  decode(): DecodedWriteRequest {
    const end = this.buf.length;
    while (this.pos < end) {
      const tag = this.readTag(end);
      if (tag === WRITE_REQUEST_TIMESERIES) {
        const length = this.readLength(end);
        this.decodeTimeSeries(this.pos + length);
      } else if (tag === WRITE_REQUEST_METADATA) {
        this.skipLengthDelimited(end);
        this.metadataSkipped++;
      } else {
        this.rejectMistypedOrSkip(tag, end, WRITE_REQUEST_FIELDS);
      }
    }
    return {
      series: this.series,
      sampleCount: this.sampleCount,
      staleMarkerCount: this.staleMarkerCount,
      emptySeriesSkipped: this.emptySeriesSkipped,
      histogramsSkipped: this.histogramsSkipped,
      exemplarsSkipped: this.exemplarsSkipped,
      metadataSkipped: this.metadataSkipped,
    };
  }

  protected override describePosition(): string {
    const where = `at byte ${this.pos}`;
    return this.seriesIndex < 0 ? where : `${where}, in series ${this.seriesIndex}`;
  }

  /** Reuses a cached label set when the series' label bytes were seen before, else decodes it fully. */
  private decodeTimeSeries(end: number): void {
    const index = ++this.seriesIndex;
    if (index >= this.limits.maxSeriesPerRequest) {
      this.fail('too_many_series', `request has more than the limit of ${this.limits.maxSeriesPerRequest} series`);
    }
    const start = this.pos;
    const labelSets = this.interner.labelSets;
    const labelsEnd = labelSets === null ? -1 : this.leadingLabelsEnd(end);
    if (labelSets !== null && labelsEnd > start) {
      const cached = labelSets.find(this.source, start, labelsEnd);
      if (cached !== undefined && this.withinLimits(cached) && this.decodeAfterCachedLabels(end, labelsEnd, cached)) return;
      this.pos = start;
    }
    this.decodeSeriesFully(end, start, labelsEnd);
  }

  /**
   * Where the run of label fields opening the series ends (Prometheus sends labels first), or -1.
   * Never throws: anything unusual is left to the full decode, so errors are the same either way.
   */
  private leadingLabelsEnd(end: number): number {
    const buf = this.buf;
    const maxLabels = this.limits.maxLabelsPerSeries;
    let pos = this.pos;
    let count = 0;
    while (pos < end && buf[pos] === TIMESERIES_LABELS) {
      if (count === maxLabels) return -1;
      let length = 0;
      let cursor = pos + 1;
      for (let shift = 0; ; shift += 7) {
        if (cursor >= end || shift > 14) return -1; // labels over 2 MiB take the full decode
        const byte = buf[cursor++];
        length |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
      if (length > end - cursor) return -1;
      pos = cursor + length;
      count++;
    }
    this.leadingLabels = count;
    return count > 0 ? pos : -1;
  }

  /** A cached set was validated under some limits; it is reusable only within this request's. */
  private withinLimits(cached: CachedLabelSet): boolean {
    const limits = this.limits;
    return (
      cached.labelsSent <= limits.maxLabelsPerSeries &&
      cached.longestName <= limits.maxLabelNameLength &&
      cached.longestValue <= limits.maxLabelValueLength
    );
  }

  /** Decodes what follows cached labels; false (counters restored) if more labels follow the samples. */
  private decodeAfterCachedLabels(end: number, labelsEnd: number, cached: CachedLabelSet): boolean {
    const counters = [this.histogramsSkipped, this.exemplarsSkipped, this.staleMarkerCount] as const;
    this.pos = labelsEnd;
    this.samples = null;
    while (this.pos < end) {
      const tag = this.readTag(end);
      if (tag === TIMESERIES_LABELS) {
        [this.histogramsSkipped, this.exemplarsSkipped, this.staleMarkerCount] = counters;
        return false;
      }
      this.decodeOtherSeriesField(tag, end);
    }
    this.metricName = cached.metricName;
    this.acceptSeries(cached.labels, this.samples);
    return true;
  }

  private decodeSeriesFully(end: number, start: number, leadingLabelsEnd: number): void {
    const stamp = this.interner.beginSeries();
    const labels: Label[] = [];
    let labelsSent = 0;
    this.samples = null;
    this.metricName = '';
    this.longestName = 0;
    this.longestValue = 0;
    while (this.pos < end) {
      const tag = this.readTag(end);
      if (tag === TIMESERIES_LABELS) {
        if (labelsSent === this.limits.maxLabelsPerSeries) this.tooManyLabels();
        const length = this.readLength(end);
        this.decodeLabel(this.pos + length, labelsSent++, labels, stamp);
      } else {
        this.decodeOtherSeriesField(tag, end);
      }
    }
    this.acceptSeries(labels, this.samples);
    // Cache only when every label came from the leading run, so those bytes alone determine the set.
    if (leadingLabelsEnd > start && labelsSent === this.leadingLabels) {
      this.rememberLabelSet(start, leadingLabelsEnd, labels, labelsSent);
    }
  }

  private rememberLabelSet(start: number, end: number, labels: Label[], labelsSent: number): void {
    this.interner.labelSets?.remember(this.source, start, end, {
      labels: Object.freeze(labels), // shared by every later series with these bytes
      metricName: this.metricName,
      labelsSent,
      longestName: this.longestName,
      longestValue: this.longestValue,
    });
  }

  /** Any TimeSeries field but labels: samples are kept, histograms and exemplars counted and skipped. */
  private decodeOtherSeriesField(tag: number, end: number): void {
    if (tag === TIMESERIES_SAMPLES) {
      const length = this.readLength(end);
      const sample = this.decodeSample(this.pos + length);
      if (this.samples === null) this.samples = [sample]; // sized 1: most series carry one sample
      else this.samples.push(sample);
    } else if (tag === TIMESERIES_HISTOGRAMS) {
      this.skipLengthDelimited(end);
      this.histogramsSkipped++;
    } else if (tag === TIMESERIES_EXEMPLARS) {
      this.skipLengthDelimited(end);
      this.exemplarsSkipped++;
    } else {
      this.rejectMistypedOrSkip(tag, end, TIMESERIES_FIELDS);
    }
  }

  private acceptSeries(labels: readonly Label[], samples: DecodedSample[] | null): void {
    if (this.metricName === '') {
      this.fail('missing_metric_name', `series has no ${METRIC_NAME_LABEL} label${describeLabels(labels)}`);
    }
    if (samples === null) {
      this.emptySeriesSkipped++; // Prometheus ignores series without float samples; counted for visibility
      return;
    }
    this.sampleCount += samples.length;
    this.series.push({ labels, metricName: this.metricName, samples });
  }

  /** Decodes one Label (last occurrence of a field wins, as in proto3), validates it, and keeps it if non-empty. */
  private decodeLabel(end: number, position: number, labels: Label[], stamp: number): void {
    let nameStart = 0;
    let nameEnd = 0;
    let valueStart = 0;
    let valueEnd = 0;
    while (this.pos < end) {
      const tag = this.readTag(end);
      if (tag === LABEL_NAME) {
        const length = this.readLength(end);
        nameStart = this.pos;
        nameEnd = this.pos += length;
      } else if (tag === LABEL_VALUE) {
        const length = this.readLength(end);
        valueStart = this.pos;
        valueEnd = this.pos += length;
      } else {
        this.rejectMistypedOrSkip(tag, end, LABEL_FIELDS);
      }
    }
    if (nameEnd - nameStart > this.longestName) this.longestName = nameEnd - nameStart;
    if (valueEnd - valueStart > this.longestValue) this.longestValue = valueEnd - valueStart;
    const nameId = this.internLabelName(position, nameStart, nameEnd, stamp);
    if (valueEnd === valueStart) return; // an empty value means "no such label" in Prometheus
    labels.push(this.labelWithValue(nameId, valueStart, valueEnd));
  }

  private internLabelName(position: number, start: number, end: number, stamp: number): number {
    const limit = this.limits.maxLabelNameLength;
    if (end - start > limit) {
      this.fail('label_name_too_long', `label name of ${end - start} bytes is over the limit of ${limit}`);
    }
    const id = this.interner.internName(position, this.buf, start, end);
    if (id === NOT_UTF8) this.fail('invalid_utf8', 'label name is not valid UTF-8');
    if (!this.interner.isValidLabelName(id)) {
      this.fail('invalid_label_name', `label name ${quoteForMessage(this.interner.text(id))} is invalid`);
    }
    if (this.interner.markSeen(id, stamp)) {
      this.fail('duplicate_label_name', `label name ${quoteForMessage(this.interner.text(id))} appears twice`);
    }
    return id;
  }

  private labelWithValue(nameId: number, start: number, end: number): Label {
    const length = end - start;
    if (length > this.limits.maxLabelValueLength) {
      this.fail(
        'label_value_too_long',
        `value of label ${this.quotedName(nameId)} is ${length} bytes, over the limit of ${this.limits.maxLabelValueLength}`,
      );
    }
    if (length > MAX_INTERNED_VALUE_BYTES) return this.uncachedLabel(nameId, start, end);
    const valueId = this.interner.internValue(nameId, this.buf, start, end);
    if (valueId === NOT_UTF8) this.fail('invalid_utf8', `value of label ${this.quotedName(nameId)} is not valid UTF-8`);
    if (this.interner.isMetricNameLabel(nameId)) {
      if (!this.interner.isValidMetricName(valueId)) this.invalidMetricName(this.interner.text(valueId));
      this.metricName = this.interner.text(valueId);
    }
    return this.interner.labelFor(nameId, valueId);
  }

  private uncachedLabel(nameId: number, start: number, end: number): Label {
    const value = decodeUtf8OrNull(this.buf, start, end);
    if (value === null) this.fail('invalid_utf8', `value of label ${this.quotedName(nameId)} is not valid UTF-8`);
    if (this.interner.isMetricNameLabel(nameId)) {
      if (!isValidMetricName(value)) this.invalidMetricName(value);
      this.metricName = value;
    }
    return Object.freeze({ name: this.interner.text(nameId), value });
  }

  private quotedName(nameId: number): string {
    return quoteForMessage(this.interner.text(nameId));
  }

  private decodeSample(end: number): DecodedSample {
    let value = 0;
    let timestampMs = 0;
    let stale = false;
    while (this.pos < end) {
      const tag = this.readTag(end);
      if (tag === SAMPLE_VALUE) {
        this.requireBytes(8, end, 'sample value');
        stale = isStaleMarkerAt(this.buf, this.pos);
        value = this.readDoubleUnchecked();
      } else if (tag === SAMPLE_TIMESTAMP) {
        timestampMs = this.readInt64(end);
      } else {
        this.rejectMistypedOrSkip(tag, end, SAMPLE_FIELDS);
      }
    }
    if (timestampMs > Number.MAX_SAFE_INTEGER || timestampMs < -Number.MAX_SAFE_INTEGER) {
      this.fail('timestamp_out_of_range', `sample timestamp ${timestampMs} ms is beyond ±2^53`);
    }
    if (stale) this.staleMarkerCount++;
    return { timestampMs, value, stale };
  }

  /** A known field with an unexpected wire type is refused; anything else is skipped as unknown. */
  private rejectMistypedOrSkip(tag: number, end: number, known: KnownFields): void {
    const field = known[tag >>> 3];
    if (field !== undefined) this.wrongWireType(tag, field.name, field.wireType);
    this.skipField(tag, end);
  }

  private tooManyLabels(): never {
    return this.fail('too_many_labels', `series has more than the limit of ${this.limits.maxLabelsPerSeries} labels`);
  }

  private invalidMetricName(value: string): never {
    return this.fail('invalid_metric_name', `metric name ${quoteForMessage(value)} is invalid`);
  }
}

interface KnownField {
  readonly name: string;
  readonly wireType: number;
}
type KnownFields = Readonly<Record<number, KnownField>>;

const WRITE_REQUEST_FIELDS: KnownFields = {
  1: { name: 'WriteRequest.timeseries', wireType: WIRE_LENGTH_DELIMITED },
  3: { name: 'WriteRequest.metadata', wireType: WIRE_LENGTH_DELIMITED },
};
const TIMESERIES_FIELDS: KnownFields = {
  1: { name: 'TimeSeries.labels', wireType: WIRE_LENGTH_DELIMITED },
  2: { name: 'TimeSeries.samples', wireType: WIRE_LENGTH_DELIMITED },
  3: { name: 'TimeSeries.exemplars', wireType: WIRE_LENGTH_DELIMITED },
  4: { name: 'TimeSeries.histograms', wireType: WIRE_LENGTH_DELIMITED },
};
const LABEL_FIELDS: KnownFields = {
  1: { name: 'Label.name', wireType: WIRE_LENGTH_DELIMITED },
  2: { name: 'Label.value', wireType: WIRE_LENGTH_DELIMITED },
};
const SAMPLE_FIELDS: KnownFields = {
  1: { name: 'Sample.value', wireType: WIRE_FIXED64 },
  2: { name: 'Sample.timestamp', wireType: WIRE_VARINT },
};

/** The labels decoded so far, for messages about a series that lacks something. */
function describeLabels(labels: readonly Label[]): string {
  if (labels.length === 0) return '';
  const shown = labels.slice(0, 4).map((label) => `${label.name}=${quoteForMessage(label.value, 32)}`);
  return ` (labels: ${shown.join(', ')}${labels.length > 4 ? ', …' : ''})`;
}
