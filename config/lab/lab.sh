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
#   config/lab/lab.sh crossed   bytes the router has carried between regions so far (see below)
#   config/lab/lab.sh down      removes anything a killed run left behind
#
# Regions: with LAB_REGIONS=R (2 or more), the N hosts are split into R regions in order (hosts
# 1..N/R in region-1, ...). Each region is a bridge of its own (10.77.<r>.0/24, host i at
# 10.77.<r>.<10+i>), and a router namespace joins them: the link between each region and the router
# is shaped to LAB_INTER_RATE (default 20mbit) each way (tbf; no delay is added: the machine's
# kernel may lack netem). Each node is started with its region (node.region=region-<r>), unless
# LAB_REGION_BLIND=1 (all region "local": the region-blind baseline on the same network). COMMAND
# also gets LAB_REGION_OF="10.77.1.11=region-1 ...".
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${NETFLOW_JAR:-$ROOT/mesh-node/target/netflow-node.jar}
BRIDGE=nflab0
NET=10.77.0
WORK=${LAB_DIR:-/tmp/nflab}

REGIONS=${LAB_REGIONS:-1}
ROUTER=nflabrt

# Host i's region (1..REGIONS) and address.
host_region() { echo $(( ($1 - 1) * REGIONS / N_HOSTS + 1 )); }
host_ip() {
  if [ "$REGIONS" -gt 1 ]; then echo "10.77.$(host_region "$1").$((10 + $1))"; else echo "$NET.$((10 + $1))"; fi
}

# Bytes the router has sent into every region (what crossed between regions), or 0 without regions.
crossed() {
  local total=0 r
  for r in $(seq 1 "$REGIONS"); do
    [ "$REGIONS" -gt 1 ] || break
    total=$((total + $(ip netns exec "$ROUTER" cat "/sys/class/net/nflabrt$r/statistics/tx_bytes")))
  done
  echo "$total"
}

# The router namespace and one bridge per region, each region's link to the router shaped.
regions_up() {
  local inter=${LAB_INTER_RATE:-20mbit} r
  ip netns add "$ROUTER"
  ip netns exec "$ROUTER" ip link set lo up
  ip netns exec "$ROUTER" sysctl -qw net.ipv4.ip_forward=1
  for r in $(seq 1 "$REGIONS"); do
    ip link add "nflabb$r" type bridge
    ip addr add "10.77.$r.254/24" dev "nflabb$r"
    ip link set "nflabb$r" up
    ip link add "nflabup$r" type veth peer name "nflabrt$r"
    ip link set "nflabrt$r" netns "$ROUTER"
    ip link set "nflabup$r" master "nflabb$r" up
    ip netns exec "$ROUTER" ip addr add "10.77.$r.1/24" dev "nflabrt$r"
    ip netns exec "$ROUTER" ip link set "nflabrt$r" up
    # Into the region (egress of the router's side) and out of it (egress of the bridge's side).
    ip netns exec "$ROUTER" tc qdisc add dev "nflabrt$r" root tbf rate "$inter" burst 64kb latency 50ms
    tc qdisc add dev "nflabup$r" root tbf rate "$inter" burst 64kb latency 50ms
  done
  echo "lab: $REGIONS regions joined by $ROUTER, each link to it shaped to $inter each way"
}

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
  if [ "$REGIONS" -gt 1 ]; then
    regions_up
  else
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.1/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  local join
  join=$(host_ip 1)
  for i in $(seq 1 "$n"); do
    local ns=nflab$i ip region=local bridge=$BRIDGE
    ip=$(host_ip "$i")
    if [ "$REGIONS" -gt 1 ]; then
      bridge=nflabb$(host_region "$i")
      [ "${LAB_REGION_BLIND:-0}" = 1 ] || region=region-$(host_region "$i")
    fi
    ip netns add "$ns"
    ip link add "nflab$i-br" type veth peer name "nflab$i-h"
    ip link set "nflab$i-h" netns "$ns"
    ip link set "nflab$i-br" master "$bridge" up
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip addr add "$ip/24" dev "nflab$i-h"
    ip netns exec "$ns" ip link set "nflab$i-h" up
    if [ "$REGIONS" -gt 1 ]; then
      ip netns exec "$ns" ip route add default via "10.77.$(host_region "$i").1"
    fi
    # The host's uplink (egress inside the namespace) and downlink (egress of the bridge port).
    ip netns exec "$ns" tc qdisc add dev "nflab$i-h" root tbf rate "$rate" burst 64kb latency 50ms
    tc qdisc add dev "nflab$i-br" root tbf rate "$rate" burst 64kb latency 50ms
    ip netns exec "$ns" env NETFLOW_CLUSTER_HOST="$ip" NETFLOW_HTTP_HOST="$ip" NETFLOW_CLUSTER_PORT_COUNT=1 \
      NETFLOW_HTTP_PORT_COUNT=1 NETFLOW_CLUSTER_NAME=nflab NETFLOW_NODE_NAME="lab-$i" \
      NETFLOW_NODE_DATA_DIR="$WORK/data" NETFLOW_NODE_REGION="$region" ${LAB_NODE_ENV:-} \
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
  crossed)
    N_HOSTS=1
    crossed
    ;;
  run)
    [ "$(id -u)" = 0 ] || { echo "lab: needs root (network namespaces, tc)" >&2; exit 2; }
    n=${2:?hosts}; rate=${3:?rate, e.g. 100mbit}; limit=${4:?seconds}; shift 4
    [ "${1:-}" = "--" ] && shift
    N_HOSTS=$n
    [ "$REGIONS" -le "$n" ] || { echo "lab: $REGIONS regions need at least as many hosts" >&2; exit 2; }
    down
    trap down EXIT INT TERM
    up "$n" "$rate"
    hosts=""
    region_of=""
    for i in $(seq 1 "$n"); do
      hosts="$hosts $(host_ip "$i")"
      region_of="$region_of $(host_ip "$i")=region-$(host_region "$i")"
    done
    LAB_HOSTS="${hosts# }" LAB_RATE="$rate" LAB_REGION_OF="${region_of# }" timeout "$limit" "$@"
    ;;
  *)
    sed -n '2,25p' "$0" >&2
    exit 2
    ;;
esac
