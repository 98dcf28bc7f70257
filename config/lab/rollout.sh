#!/usr/bin/env bash
# Model rollout over real shaped links: N lab hosts, each link shaped to RATE both ways; publishes a
# SIZE_MIB model on the first host and times until every node holds it verified and active, against
# the physical floor size / per-host rate. Needs root (see lab.sh).
#   config/lab/rollout.sh [N=4] [RATE_MBIT=100] [SIZE_MIB=32] [RUNS=3]
# The nodes start moments before, so a first rollout warms them up (their JIT compiles the transfer
# path while it runs; on this 2-core machine four fresh JVMs take about twice as long): it is
# reported as coldSeconds, and RUNS more versions are timed after it. The clock of each starts when
# the origin has the whole version (the upload to it crosses a shaped link too and is reported apart).
#
# With LAB_REGIONS (see lab.sh) it also counts the bytes that crossed between regions per rollout,
# against the model's size, and the floor becomes the larger of size / RATE and size / LAB_INTER_RATE
# (every region's first copy crosses its link). LAB_REGION_BLIND=1 runs the region-blind baseline.
# LAB_MAX_RATIO, LAB_MAX_CROSSED: exit 1 when the median ratio to the floor, or the median bytes
# crossing between regions in model sizes, is above it (CI's guards).
#
# Prints one line per rollout and a summary, and appends the summary to
# mesh-node/target/bench/lab-rollout.json (lab-rollout-regions.json with regions).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${NETFLOW_JAR:-$ROOT/mesh-node/target/netflow-node.jar}

# One rollout: publishes version $1 on the first host; prints "seconds-after-publish upload-seconds crossed-bytes".
rollout() {
  local version=$1 start published done_at before after active
  read -r -a hosts <<<"$LAB_HOSTS"
  head -c "$((size_mib << 20))" /dev/urandom >"$work/model.bin"
  start=$(date +%s.%N)
  java -jar "$JAR" model publish --url "http://${hosts[0]}:8080" --admin-key "$(cat "$work/admin.key")" \
    --name lab --version "$version" --file "$work/model.bin" --private-key "$work/ops.key" --key-id ops >/dev/null
  published=$(date +%s.%N)
  before=$("$ROOT/config/lab/lab.sh" crossed)
  while true; do
    active=$(curl -sf "http://${hosts[0]}:8080/v1/models/lab/$version/rollout" | grep -o '"state":"ACTIVE"' | wc -l || true)
    [ "$active" -ge "${#hosts[@]}" ] && break
    sleep 0.1
  done
  done_at=$(date +%s.%N)
  after=$("$ROOT/config/lab/lab.sh" crossed)
  python3 -c "import sys; a=list(map(float, sys.argv[1:])); print(round(a[2]-a[1], 2), round(a[1]-a[0], 2), int(a[4]-a[3]))" \
    "$start" "$published" "$done_at" "$before" "$after"
}

if [ "${1:-}" = "--inside" ]; then
  # Runs inside lab.sh: the hosts are up.
  size_mib=$2; rate_mbit=$3; work=$4; runs=$5
  read -r cold _ _ <<<"$(rollout "v$$-warmup")"
  results=()
  for i in $(seq 1 "$runs"); do
    line=$(rollout "v$$-$i")
    echo "lab: rollout $i of $runs: $line (seconds after publish, upload to origin, bytes between regions)" >&2
    results+=("$line")
  done
  name=rollout
  [ "${LAB_REGIONS:-1}" -gt 1 ] && name=rollout-regions
  LAB_RUNS="$(printf '%s\n' "${results[@]}")" python3 - "$cold" "$size_mib" "$rate_mbit" "$(wc -w <<<"$LAB_HOSTS")" "${LAB_REGIONS:-1}" \
    "${LAB_INTER_RATE:-20mbit}" "${LAB_REGION_BLIND:-0}" <<'PY' | "$ROOT/config/lab/record.py" "$name"
import json, os, statistics, sys
cold, size, rate, n, regions = map(float, sys.argv[1:6])
inter, blind = sys.argv[6], sys.argv[7] == "1"
runs = [list(map(float, line.split())) for line in os.environ["LAB_RUNS"].splitlines() if line.strip()]
floor = size * 1048576 * 8 / (rate * 1e6)
report = {"benchmark": "lab-rollout", "hosts": int(n), "rateMbitPerLink": rate, "sizeMiB": size}
if regions > 1:
    inter_mbit = float(inter.lower().replace("mbit", ""))
    floor = max(floor, size * 1048576 * 8 / (inter_mbit * 1e6))
    crossed = [r[2] / (size * 1048576) for r in runs]
    report.update({"regions": int(regions), "interRegionRate": inter, "regionBlind": blind,
                   "crossedModelSizes": [round(c, 2) for c in crossed],
                   "crossedMedian": round(statistics.median(crossed), 2)})
took = [r[0] for r in runs]
report.update({"coldSeconds": cold, "rolloutAfterPublishSeconds": took,
               "uploadToOriginSeconds": [r[1] for r in runs], "floorSeconds": round(floor, 2),
               "ratioToFloor": [round(t / floor, 2) for t in took],
               "medianRatioToFloor": round(statistics.median(took) / floor, 2),
               "coldRatioToFloor": round(cold / floor, 2),
               "naiveFanOutFloorSeconds": round(size * 1048576 * 8 / (rate * 1e6) * (n - 1), 2)})
print(json.dumps(report))
PY
  exit 0
fi

n=${1:-4}; rate=${2:-100}; size=${3:-32}; runs=${4:-3}
work=$(mktemp -d /tmp/nflab-rollout.XXXXXX)
trap 'rm -rf "$work"' EXIT
keyline=$(java -jar "$JAR" model keygen --key-id ops --out "$work/ops.key" | grep '^or NETFLOW_MODELS_TRUSTED_KEYS=')
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/admin.key"
admin_sha=$(printf %s "$(cat "$work/admin.key")" | sha256sum | cut -d' ' -f1)
cd "$ROOT"
LAB_NODE_ENV="${keyline#or } NETFLOW_HTTP_ADMIN_KEY_SHA256=$admin_sha ${LAB_EXTRA_ENV:-}" \
  "$ROOT/config/lab/lab.sh" run "$n" "${rate}mbit" 900 -- "$0" --inside "$size" "$rate" "$work" "$runs" | tee "$work/summary"
python3 - "${LAB_MAX_RATIO:-}" "${LAB_MAX_CROSSED:-}" "$work/summary" <<'PY'
import json, sys
max_ratio, max_crossed = sys.argv[1], sys.argv[2]
report = json.loads(open(sys.argv[3]).read().strip().splitlines()[-1])
failed = False
for limit, key, what in ((max_ratio, "medianRatioToFloor", "its floor"), (max_crossed, "crossedMedian", "the model's size crossing between regions")):
    if limit:
        value = report[key]
        failed |= value > float(limit)
        print("lab: %.2fx %s, %s the %.2fx allowed" % (value, what, "MORE than" if value > float(limit) else "within", float(limit)))
sys.exit(1 if failed else 0)
PY
