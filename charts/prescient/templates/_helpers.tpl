{{/*
Chart name, truncated to a DNS label.
*/}}
{{- define "prescient.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-scoped name for cluster-scoped and shared objects (the MutatingWebhookConfiguration,
the webhook Certificate). Components themselves are named after the component (see values.yaml).
*/}}
{{- define "prescient.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
chart-version for the helm.sh/chart label.
*/}}
{{- define "prescient.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels every object carries.
*/}}
{{- define "prescient.labels" -}}
{{ include "prescient.baseLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "prescient.baseLabels" -}}
helm.sh/chart: {{ include "prescient.chart" . }}
app.kubernetes.io/part-of: {{ include "prescient.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels of one component. app.kubernetes.io/name is the component: it is also what Istio
takes as the canonical service name in telemetry. Call with (dict "root" $ "name" $name).
*/}}
{{- define "prescient.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/*
Labels of one component's objects. Call with (dict "root" $ "name" $name).
*/}}
{{- define "prescient.componentLabels" -}}
{{ include "prescient.baseLabels" .root }}
{{ include "prescient.selectorLabels" . }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/*
Image of one component. Call with (dict "root" $ "name" $name "component" $c).
*/}}
{{- define "prescient.image" -}}
{{- $img := .root.Values.image }}
{{- $repo := printf "%s/%s" $img.repositoryPrefix .name }}
{{- if $img.registry }}{{ $repo = printf "%s/%s" (trimSuffix "/" $img.registry) $repo }}{{ end }}
{{- $tag := default .root.Chart.AppVersion $img.tag }}
{{- with .component.image }}{{ with .tag }}{{ $tag = . }}{{ end }}{{ end }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}

{{/*
Environment-variable prefix of a component: prediction -> PREDICTION, autoscaler-actuator -> AUTOSCALER_ACTUATOR
(as gateway/src/subgraphs.ts addrVariable does).
*/}}
{{- define "prescient.envPrefix" -}}
{{- . | upper | replace "-" "_" }}
{{- end }}

{{/*
In-cluster DNS name of a component's Service. Call with (dict "root" $ "name" $name).
*/}}
{{- define "prescient.serviceHost" -}}
{{- printf "%s.%s.svc.cluster.local" .name .root.Release.Namespace }}
{{- end }}

{{/*
The component's HTTP(S) port name: https when it serves TLS itself (Istio then treats the port as
opaque TLS), http otherwise.
*/}}
{{- define "prescient.httpPortName" -}}
{{- if .tls }}https{{ else }}http{{ end }}
{{- end }}

{{/*
Mesh identity of a component's ServiceAccount. Call with (dict "root" $ "name" $name).
*/}}
{{- define "prescient.principal" -}}
{{- printf "%s/ns/%s/sa/%s" .root.Values.istio.trustDomain .root.Release.Namespace .name }}
{{- end }}

{{/*
The webhook's serving-certificate Secret.
*/}}
{{- define "prescient.webhookTlsSecret" -}}
{{- if .Values.webhook.certManager.enabled }}mesh-webhook-tls{{ else }}{{ .Values.webhook.tls.existingSecret }}{{ end }}
{{- end }}

{{/*
Checks values that a schema cannot (cross-field rules); fails naming the key.
*/}}
{{- define "prescient.validateValues" -}}
{{- $anyPlatform := false }}
{{- range $name, $c := .Values.components }}
{{- if and $c.enabled $c.platformDeps }}{{ $anyPlatform = true }}{{ end }}
{{- range $callee := $c.grpcCallees }}
{{- $target := index $.Values.components $callee }}
{{- if and $c.enabled (not (and $target $target.enabled $target.grpcPort)) }}
{{- fail (printf "components.%s.grpcCallees: %s is not an enabled component with a grpcPort" $name $callee) }}
{{- end }}
{{- end }}
{{- end }}
{{- if $anyPlatform }}
{{- if not .Values.kafka.brokers }}
{{- fail "kafka.brokers is required: the Kafka bootstrap list, e.g. kafka-bootstrap.kafka:9092" }}
{{- end }}
{{- if not .Values.database.existingSecret }}
{{- fail "database.existingSecret is required: a Secret in the release namespace whose DATABASE_URL key holds postgres://user:password@host:5432/db" }}
{{- end }}
{{- end }}
{{- $wh := index .Values.components "mesh-webhook" }}
{{- if and $wh.enabled (not .Values.webhook.certManager.enabled) }}
{{- if not .Values.webhook.tls.existingSecret }}
{{- fail "webhook.tls.existingSecret is required when components.mesh-webhook is enabled and webhook.certManager.enabled is false (the API server calls the webhook over HTTPS only)" }}
{{- end }}
{{- if and .Values.webhook.create (not .Values.webhook.caBundle) }}
{{- fail "webhook.caBundle is required when webhook.certManager.enabled is false: the base64 PEM CA that signed webhook.tls.existingSecret" }}
{{- end }}
{{- end }}
{{- $drain := add (mul .Values.preStopDelaySeconds 1000) .Values.shutdownTimeoutMs 1000 }}
{{- if lt (mul .Values.terminationGracePeriodSeconds 1000) $drain }}
{{- fail (printf "terminationGracePeriodSeconds is %d; it must cover preStopDelaySeconds + shutdownTimeoutMs + 1 s = %d s" (int .Values.terminationGracePeriodSeconds) (div (add $drain 999) 1000)) }}
{{- end }}
{{- end }}
