/** A label as sent on the wire (empty-valued labels are already dropped, as Prometheus treats them as absent). */
export interface Label {
  readonly name: string;
  readonly value: string;
}

export interface DecodedSample {
  readonly timestampMs: number;
  readonly value: number;
  /**
   * True when the value carries Prometheus' stale-marker bit pattern (0x7ff0000000000002): the series ended.
   * Read from the wire bytes, because V8 may quiet or canonicalise a NaN's payload once it is a JS number.
   */
  readonly stale: boolean;
}

export interface DecodedSeries {
  /** Frozen and possibly shared with other series (and requests) that sent byte-identical labels. */
  readonly labels: readonly Label[];
  readonly metricName: string;
  readonly samples: DecodedSample[];
}

export interface DecodedWriteRequest {
  /** Series that carried at least one float sample, in wire order. */
  readonly series: DecodedSeries[];
  readonly sampleCount: number;
  /** Samples whose value is the stale marker (also flagged per sample). */
  readonly staleMarkerCount: number;
  /** Series that carried no float samples (e.g. histogram-only) and were therefore dropped. */
  readonly emptySeriesSkipped: number;
  /** Native histograms are not ingested yet; counted so the service can expose how many it ignored. */
  readonly histogramsSkipped: number;
  readonly exemplarsSkipped: number;
  readonly metadataSkipped: number;
}

/** Per-request bounds; every one is checked before the work it bounds is done. Sizes are in bytes. */
export interface RemoteWriteLimits {
  readonly maxCompressedBytes: number;
  readonly maxDecompressedBytes: number;
  readonly maxSeriesPerRequest: number;
  readonly maxLabelsPerSeries: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
}
