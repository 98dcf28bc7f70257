#!/usr/bin/env bash
# Model rollout over real shaped links: N lab hosts, each link shaped to RATE both ways; publishes a
# SIZE_MIB model on the first host and times until every node holds it verified and active, against
# the physical floor size / per-host rate. Needs root (see lab.sh).
#   config/lab/rollout.sh [N=4] [RATE_MBIT=100] [SIZE_MIB=64]
# Prints one line and appends it to mesh-node/target/bench/lab-rollout.json. The clock starts when
# the origin has the whole version (the upload to it crosses a shaped link too and is reported apart).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${NETFLOW_JAR:-$ROOT/mesh-node/target/netflow-node.jar}

if [ "${1:-}" = "--inside" ]; then
  # Runs inside lab.sh: the hosts are up.
  read -r -a hosts <<<"$LAB_HOSTS"
  size_mib=$2; rate_mbit=$3; work=$4
  head -c "$((size_mib << 20))" /dev/urandom >"$work/model.bin"
  start=$(date +%s.%N)
  java -jar "$JAR" model publish --url "http://${hosts[0]}:8080" --admin-key "$(cat "$work/admin.key")" \
    --name lab --version "v$$" --file "$work/model.bin" --private-key "$work/ops.key" --key-id ops >/dev/null
  published=$(date +%s.%N)
  while true; do
    active=$(curl -sf "http://${hosts[0]}:8080/v1/models" | grep -o '"state":"ACTIVE"' | wc -l || true)
    [ "$active" -ge "${#hosts[@]}" ] && break
    sleep 0.2
  done
  done_at=$(date +%s.%N)
  python3 - "$start" "$published" "$done_at" "$size_mib" "$rate_mbit" "${#hosts[@]}" <<'PY' | "$ROOT/config/lab/record.py" rollout
import json, sys
start, published, done, size, rate, n = map(float, sys.argv[1:])
floor = size * 1048576 * 8 / (rate * 1e6)
took = done - published
print(json.dumps({"benchmark": "lab-rollout", "hosts": int(n), "rateMbitPerLink": rate, "sizeMiB": size,
                  "uploadToOriginSeconds": round(published - start, 2), "rolloutAfterPublishSeconds": round(took, 2),
                  "floorSeconds": round(floor, 2), "ratioToFloor": round(took / floor, 2),
                  "naiveFanOutFloorSeconds": round(floor * (n - 1), 2)}))
PY
  exit 0
fi

n=${1:-4}; rate=${2:-100}; size=${3:-64}
work=$(mktemp -d /tmp/nflab-rollout.XXXXXX)
trap 'rm -rf "$work"' EXIT
keyline=$(java -jar "$JAR" model keygen --key-id ops --out "$work/ops.key" | grep '^or NETFLOW_MODELS_TRUSTED_KEYS=')
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/admin.key"
admin_sha=$(printf %s "$(cat "$work/admin.key")" | sha256sum | cut -d' ' -f1)
cd "$ROOT"
LAB_NODE_ENV="${keyline#or } NETFLOW_HTTP_ADMIN_KEY_SHA256=$admin_sha" \
  "$ROOT/config/lab/lab.sh" run "$n" "${rate}mbit" 600 -- "$0" --inside "$size" "$rate" "$work"
