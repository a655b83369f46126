#!/usr/bin/env bash
# Generates TypeScript (ts-proto) from proto/ into libs/contracts/src/generated.
#   --check  regenerate into a temporary directory and fail if the checked-in tree differs.
# Needs protoc (Debian: protobuf-compiler); users of the generated code never need it.
set -euo pipefail
cd "$(dirname "$0")/.."
out=libs/contracts/src/generated
if [[ "${1:-}" == "--check" ]]; then
  target=$(mktemp -d)
  trap 'rm -rf "$target"' EXIT
else
  target=$out
  rm -rf "$out"
  mkdir -p "$out"
fi
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
mapfile -t files < <(cd proto && find prescient -name '*.proto' | sort)
(cd proto && protoc \
  --plugin=protoc-gen-ts_proto="../node_modules/.bin/protoc-gen-ts_proto" \
  --ts_proto_out="$( [[ "$target" = /* ]] && echo "$target" || echo "../$target" )" \
  --ts_proto_opt=esModuleInterop=true,env=node,outputServices=grpc-js,forceLong=number,useOptionals=messages,useExactTypes=false,snakeToCamel=true,exportCommonSymbols=false \
  "${files[@]}")
if [[ "${1:-}" == "--check" ]]; then
  if ! diff -r "$out" "$target" >/dev/null; then
    diff -r "$out" "$target" | head -40 >&2
    echo "libs/contracts/src/generated is stale: run 'npm run contracts:generate' and commit the result" >&2
    exit 1
  fi
  echo "contracts: generated code is up to date"
fi
