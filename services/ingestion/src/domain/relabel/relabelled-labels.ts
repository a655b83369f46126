import type { Label } from '../remote-write/decoded-write-request';
import { isValidLabelName, isValidMetricName, METRIC_NAME_LABEL } from '../remote-write/prometheus-names';

export type RelabelledLabelsCheck =
  | { readonly ok: true; readonly metricName: string }
  | {
      readonly ok: false;
      readonly reason: 'missing_metric_name' | 'invalid_metric_name' | 'invalid_label_name';
      readonly message: string;
    };

/**
 * What the service must still check after relabelling, as Prometheus' scrape loop does after
 * metric_relabel_configs (scrape.go: errNameLabelMandatory, then lset.IsValid): rules may remove
 * __name__, write any value into it (replace), or create a label whose name is not valid (labelmap
 * writes `replacement` expanded as is, e.g. '$1' of a name starting with a digit). Only needed when
 * apply() returned a different array than it was given.
 */
export function checkRelabelledLabels(labels: readonly Label[]): RelabelledLabelsCheck {
  let metricName: string | undefined;
  for (const label of labels) {
    if (label.name === METRIC_NAME_LABEL) metricName = label.value;
    else if (!isValidLabelName(label.name)) {
      return { ok: false, reason: 'invalid_label_name', message: `relabelling produced the invalid label name ${JSON.stringify(label.name)}` };
    }
  }
  if (metricName === undefined) {
    return { ok: false, reason: 'missing_metric_name', message: `relabelling removed the ${METRIC_NAME_LABEL} label` };
  }
  if (!isValidMetricName(metricName)) {
    return { ok: false, reason: 'invalid_metric_name', message: `relabelling produced the invalid metric name ${JSON.stringify(metricName)}` };
  }
  return { ok: true, metricName };
}
