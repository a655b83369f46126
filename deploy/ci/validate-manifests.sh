#!/usr/bin/env bash
# Renders every deployment variant and validates it offline (STYLE.md habit 9):
#   1. helm (built from the Go module proxy when missing),
#   2. helm lint --strict: the chart alone and with each charts/prescient/ci/*-values.yaml,
#   3. helm template of each variant (and the chart without its required values must refuse),
#   4. every rendered manifest and istio/*.yaml against the Kubernetes, Istio, prometheus-operator
#      and cert-manager schemas, unknown fields refused (deploy/ci/validate-manifests.ts; kubeconform
#      would fetch its schemas from the internet, which CI cannot reach),
#   5. the chart's Istio objects equal istio/*.yaml.
# Every step runs; the script exits 1 when any failed, naming each one.
#
# Environment: HELM_VERSION (v3.22.0), KUBE_VERSION (the cluster version rendered and checked for
# deprecated APIs, 1.34.0: the version the kubernetes-models schemas describe),
# TOOLS_BIN (.cache/bin: where helm is installed), OUT (.cache/manifests: the rendered variants).
set -uo pipefail
cd "$(dirname "$0")/../.."

HELM_VERSION=${HELM_VERSION:-v3.22.0}
KUBE_VERSION=${KUBE_VERSION:-1.34.0}
TOOLS_BIN=${TOOLS_BIN:-$PWD/.cache/bin}
OUT=${OUT:-$PWD/.cache/manifests}
CHART=charts/prescient
NAMESPACE=prescient-system
# The values istio/*.yaml's placeholders take here; charts/prescient/ci/istio-values.yaml uses the same.
ISTIO_ENV=(--env KAFKA_NAMESPACE=kafka --env POSTGRES_NAMESPACE=postgres --env OTEL_COLLECTOR_NAMESPACE=observability --env PROMETHEUS_NAMESPACE=monitoring)

started=$(date +%s)
failures=()
step() { echo "== $* ($(($(date +%s) - started)) s)"; }
fail() { echo "FAILED: $*" >&2; failures+=("$*"); }

# --- 1. helm ------------------------------------------------------------------------------------
# go install builds helm from source. Its version and default Kubernetes version are link-time
# variables (helm's Makefile sets them); without them `helm template` would assume Kubernetes 1.20.
install_helm() {
  command -v go >/dev/null || { echo "helm is not installed and neither is go to build it" >&2; return 1; }
  local gomod minor
  gomod=$(go mod download -json "helm.sh/helm/v3@${HELM_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p') || return 1
  minor=$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod" | head -1)
  [[ -n "$minor" ]] || { echo "cannot read the Kubernetes version of helm ${HELM_VERSION} from ${gomod}" >&2; return 1; }
  local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION} -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  local pkg
  for pkg in chartutil lint/rules; do
    ldflags+=" -X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMinor=${minor}"
  done
  mkdir -p "$TOOLS_BIN"
  GOBIN="$TOOLS_BIN" GOFLAGS=-mod=mod go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
}

step "helm ${HELM_VERSION}"
HELM="$TOOLS_BIN/helm"
if [[ -x "$HELM" && "$("$HELM" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]; then
  echo "using $HELM"
elif command -v helm >/dev/null && [[ "$(helm version --template '{{.Version}}' 2>/dev/null)" == v3.* ]]; then
  HELM=$(command -v helm)
  echo "using $HELM ($("$HELM" version --template '{{.Version}}'))"
else
  t0=$(date +%s)
  if ! install_helm; then
    echo "FAILED: go install helm.sh/helm/v3/cmd/helm@${HELM_VERSION} (above): nothing can be linted or rendered" >&2
    exit 1
  fi
  echo "built $HELM in $(($(date +%s) - t0)) s"
fi
"$HELM" version

# --- 2. helm lint --------------------------------------------------------------------------------
# helm lint reports a template's `fail` (the chart's required values) as [INFO], not as an error:
# with a ci values file such a line is a real failure, so it is looked for.
lint() {
  local what=$1 out
  shift
  if ! out=$("$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART" "$@" 2>&1); then
    echo "$out"
    fail "helm lint --strict $what"
    return
  fi
  echo "$out"
  if [[ "$what" != "(chart defaults)" ]] && grep -q '\] Fail:' <<<"$out"; then fail "helm lint --strict $what: the templates failed (see the Fail: line)"; fi
}
step "helm lint --strict $CHART"
lint "(chart defaults)"
variants=()
for values in "$CHART"/ci/*-values.yaml; do
  variant=$(basename "$values" -values.yaml)
  variants+=("$variant")
  step "helm lint --strict -f $values"
  lint "-f $values" -f "$values"
done

# --- 3. helm template ----------------------------------------------------------------------------
rm -rf "$OUT" && mkdir -p "$OUT"
rendered=()
for variant in "${variants[@]}"; do
  step "helm template ($variant)"
  if "$HELM" template prescient "$CHART" --namespace "$NAMESPACE" --kube-version "$KUBE_VERSION" \
    -f "$CHART/ci/${variant}-values.yaml" >"$OUT/${variant}.yaml" 2>"$OUT/${variant}.err"; then
    rendered+=("$OUT/${variant}.yaml")
    echo "$OUT/${variant}.yaml: $(grep -c '^kind:' "$OUT/${variant}.yaml") objects"
  else
    cat "$OUT/${variant}.err" >&2
    fail "helm template -f $CHART/ci/${variant}-values.yaml"
  fi
done
step "helm template without the required values must refuse"
if out=$("$HELM" template prescient "$CHART" --namespace "$NAMESPACE" --kube-version "$KUBE_VERSION" 2>&1 >/dev/null); then
  fail "helm template rendered with no kafka.brokers: the chart must refuse"
elif ! grep -q 'kafka.brokers is required' <<<"$out"; then
  echo "$out" >&2
  fail "helm template without values failed, but not naming kafka.brokers"
else
  echo "refused: ${out#*: }" | head -1
fi

# --- 4. schemas -----------------------------------------------------------------------------------
step "validate ${#rendered[@]} rendered variant(s) and istio/*.yaml against the schemas"
node -r ./tools/register.js deploy/ci/validate-manifests.ts validate "${ISTIO_ENV[@]}" "${rendered[@]}" istio/*.yaml
case $? in
  0) ;;
  3) fail "schema validation could not run: the npm packages named above are not installed" ;;
  *) fail "schema validation (the INVALID lines above)" ;;
esac

# --- 5. the chart's Istio objects are istio/*.yaml --------------------------------------------------
step "the chart's Istio objects (istio variant) equal istio/*.yaml"
if [[ -f "$OUT/istio.yaml" ]]; then
  node -r ./tools/register.js deploy/ci/validate-manifests.ts same-istio "${ISTIO_ENV[@]}" "$OUT/istio.yaml" istio/*.yaml ||
    fail "istio/*.yaml and the chart's Istio objects differ (the INVALID lines above)"
else
  fail "no istio variant rendered to compare istio/*.yaml with"
fi

step "done"
if ((${#failures[@]})); then
  printf 'validate-manifests: %d failure(s):\n' "${#failures[@]}" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "validate-manifests: all variants lint, render and validate"
