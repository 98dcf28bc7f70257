#!/usr/bin/env bash
# The multi-host lab: N hosts as network namespaces on one machine, each with its own address on a
# bridge and its uplink and downlink shaped with tc (token bucket), each running a NetFlow node
# from the built jar. Needs root, iproute2 and tc. Everything it creates is named nflab* and is
# torn down on exit, also on failure or Ctrl-C; a run never outlives its time limit.
#
#   config/lab/lab.sh run N RATE SECONDS -- COMMAND...
#       e.g. config/lab/lab.sh run 4 100mbit 300 -- config/lab/rollout.sh
#     brings up N hosts (10.77.0.11 .. 10.77.0.1N, HTTP on port 8080 of each), waits until every
#     node is ready, runs COMMAND with LAB_HOSTS="10.77.0.11 10.77.0.12 ...", then tears it all down.
#   config/lab/lab.sh down      removes anything a killed run left behind
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${NETFLOW_JAR:-$ROOT/mesh-node/target/netflow-node.jar}
BRIDGE=nflab0
NET=10.77.0
WORK=${LAB_DIR:-/tmp/nflab}

host_ip() { echo "$NET.$((10 + $1))"; }

down() {
  set +e
  if [ -d "$WORK" ]; then
    for pidfile in "$WORK"/*.pid; do
      [ -f "$pidfile" ] || continue
      kill -9 "$(cat "$pidfile")" 2>/dev/null
      wait "$(cat "$pidfile")" 2>/dev/null
      rm -f "$pidfile"
    done
  fi
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^nflab' || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns"
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^nflab' || true); do
    ip link del "$link" 2>/dev/null
  done
  set -e
}

up() {
  local n=$1 rate=$2
  [ -f "$JAR" ] || { echo "lab: no jar at $JAR (mvn -B -DskipTests package)" >&2; exit 2; }
  mkdir -p "$WORK"
  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  local join
  join=$(host_ip 1)
  for i in $(seq 1 "$n"); do
    local ns=nflab$i ip
    ip=$(host_ip "$i")
    ip netns add "$ns"
    ip link add "nflab$i-br" type veth peer name "nflab$i-h"
    ip link set "nflab$i-h" netns "$ns"
    ip link set "nflab$i-br" master "$BRIDGE" up
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip addr add "$ip/24" dev "nflab$i-h"
    ip netns exec "$ns" ip link set "nflab$i-h" up
    # The host's uplink (egress inside the namespace) and downlink (egress of the bridge port).
    ip netns exec "$ns" tc qdisc add dev "nflab$i-h" root tbf rate "$rate" burst 64kb latency 50ms
    tc qdisc add dev "nflab$i-br" root tbf rate "$rate" burst 64kb latency 50ms
    ip netns exec "$ns" env NETFLOW_CLUSTER_HOST="$ip" NETFLOW_HTTP_HOST="$ip" NETFLOW_CLUSTER_PORT_COUNT=1 \
      NETFLOW_HTTP_PORT_COUNT=1 NETFLOW_CLUSTER_NAME=nflab NETFLOW_NODE_NAME="lab-$i" \
      NETFLOW_NODE_DATA_DIR="$WORK/data" ${LAB_NODE_ENV:-} \
      java -Xmx384m -jar "$JAR" --join "$join" --http-port 8080 >"$WORK/lab-$i.log" 2>&1 &
    echo $! >"$WORK/lab-$i.pid"
  done
  for i in $(seq 1 "$n"); do
    local deadline=$((SECONDS + 90))
    until curl -sf "http://$(host_ip "$i"):8080/ready" >/dev/null; do
      [ $SECONDS -lt $deadline ] || { echo "lab: lab-$i not ready; see $WORK/lab-$i.log" >&2; exit 1; }
      sleep 0.5
    done
  done
  echo "lab: $n hosts up, links shaped to $rate each way"
}

case "${1:-}" in
  down)
    down
    ;;
  run)
    [ "$(id -u)" = 0 ] || { echo "lab: needs root (network namespaces, tc)" >&2; exit 2; }
    n=${2:?hosts}; rate=${3:?rate, e.g. 100mbit}; limit=${4:?seconds}; shift 4
    [ "${1:-}" = "--" ] && shift
    down
    trap down EXIT INT TERM
    up "$n" "$rate"
    hosts=""
    for i in $(seq 1 "$n"); do hosts="$hosts $(host_ip "$i")"; done
    LAB_HOSTS="${hosts# }" LAB_RATE="$rate" timeout "$limit" "$@"
    ;;
  *)
    sed -n '2,14p' "$0" >&2
    exit 2
    ;;
esac
