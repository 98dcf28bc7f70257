#!/usr/bin/env bash
# Prioritised transmission over a real shaped link: two lab hosts, each link shaped to RATE both
# ways. A probe node joins the lab's mesh on each host (LabPriorityProbe, from the test classes):
# the one on host 2 hosts the services, the one on host 1 sends one small CRITICAL request at a time
# to it, idle and beside a flood of 64 KiB BULK messages over the same link, through NetFlow's lanes
# and, as the baseline, through plain clustered event-bus request/reply (one FIFO connection).
# Needs root (see lab.sh) and the built jar and test classes (mvn -B -DskipTests package).
#   config/lab/priority.sh [RATE_MBIT=20]
# Prints one JSON line and appends it to mesh-node/target/bench/lab-priority.json.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${NETFLOW_JAR:-$ROOT/mesh-node/target/netflow-node.jar}
CP="$JAR:$ROOT/mesh-node/target/test-classes"

probe() { # $1 = lab host number, $2 = role, then java's output goes to stdout
  local ip=10.77.0.$((10 + $1))
  ip netns exec "nflab$1" env NETFLOW_CLUSTER_HOST="$ip" NETFLOW_HTTP_HOST="$ip" NETFLOW_CLUSTER_NAME=nflab \
    NETFLOW_CLUSTER_PORT=5801 NETFLOW_CLUSTER_PORT_COUNT=1 NETFLOW_HTTP_PORT_COUNT=1 NETFLOW_NODE_NAME="probe-$1" \
    NETFLOW_NODE_DATA_DIR="$WORK_DIR/probe-$1" java -Xmx384m -cp "$CP" io.netflow.bench.LabPriorityProbe "$2" \
    --join 10.77.0.11 --http-port 8081
}

if [ "${1:-}" = "--inside" ]; then
  rate_mbit=$2; WORK_DIR=$3
  probe 2 receive >"$WORK_DIR/receiver.log" 2>&1 &
  receiver=$!
  trap 'kill "$receiver" 2>/dev/null; wait "$receiver" 2>/dev/null' EXIT
  timeout 60 bash -c "until grep -q 'receiver ready' '$WORK_DIR/receiver.log'; do sleep 0.5; done" \
    || { echo "priority: receiver not ready; see $WORK_DIR/receiver.log" >&2; tail -20 "$WORK_DIR/receiver.log" >&2; exit 1; }
  line=$(probe 1 send 2>"$WORK_DIR/sender.log" | grep '^{"benchmark"' | tail -1)
  [ -n "$line" ] || { echo "priority: no result; see $WORK_DIR/sender.log" >&2; tail -20 "$WORK_DIR/sender.log" >&2; exit 1; }
  echo "$line" | "$ROOT/config/lab/record.py" priority "rateMbitPerLink=$rate_mbit"
  exit 0
fi

rate=${1:-20}
[ -d "$ROOT/mesh-node/target/test-classes/io/netflow/bench" ] || { echo "priority: build the test classes first" >&2; exit 2; }
work=$(mktemp -d /tmp/nflab-priority.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$ROOT"
"$ROOT/config/lab/lab.sh" run 2 "${rate}mbit" 600 -- "$0" --inside "$rate" "$work"
