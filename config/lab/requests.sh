#!/usr/bin/env bash
# Region-aware routing over real shaped links: a lab of REGIONS regions (see lab.sh: a bridge of
# hosts each, joined by a router whose links are shaped to LAB_INTER_RATE), and a game server in
# each region sending CRITICAL requests with a PAYLOAD_KIB payload to its region's first node over
# HTTP (POST /v1/messages, service netflow.ping, which every node hosts), THREADS at a time, for
# SECONDS. Counts the share of requests served in the sender's region and the latency percentiles,
# region-aware and, as the baseline on the same network, region-blind (every node region "local").
# Needs root (see lab.sh).
#   config/lab/requests.sh [HOSTS=6] [REGIONS=2] [RATE_MBIT=100] [INTER=20mbit] [SECONDS=15] [THREADS=4] [PAYLOAD_KIB=8]
# LAB_MIN_IN_REGION: exit 1 when the region-aware share served in-region is below it (CI's guard).
# Prints one line per mode and appends both to mesh-node/target/bench/lab-requests.json.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=${NETFLOW_JAR:-$ROOT/mesh-node/target/netflow-node.jar}

if [ "${1:-}" = "--inside" ]; then
  # Runs inside lab.sh: the hosts are up. Prints one JSON report.
  exec python3 - "$2" "$3" "$4" "$5" "$6" <<'PY'
import http.client, json, os, statistics, sys, threading, time

key, seconds, threads, payload_kib, blind = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
region_of = dict(pair.split("=") for pair in os.environ["LAB_REGION_OF"].split())
hosts = os.environ["LAB_HOSTS"].split()
gateways = {}
for h in hosts:
    gateways.setdefault(region_of[h], h)

def get(host, path):
    c = http.client.HTTPConnection(host, 8080, timeout=10)
    c.request("GET", path)
    return json.loads(c.getresponse().read())

# Node id -> region, from each node's advertised HTTP URL (its lab address).
node_region = {}
for n in get(hosts[0], "/v1/mesh/nodes")["nodes"]:
    ip = n["httpUrl"].split("//")[1].split(":")[0]
    node_region[n["nodeId"]] = region_of[ip]

body = json.dumps({"service": "netflow.ping", "priority": "CRITICAL", "payload": "x" * (payload_kib * 1024)})
results = []  # (sender region, served region, ms)
errors = []
lock = threading.Lock()
stop = time.time() + seconds

def sender(region, gateway):
    c = http.client.HTTPConnection(gateway, 8080, timeout=10)
    while time.time() < stop:
        t0 = time.perf_counter()
        try:
            c.request("POST", "/v1/messages", body, {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
            r = c.getresponse()
            answer = r.read()
            ms = (time.perf_counter() - t0) * 1000
            if r.status != 200:
                with lock:
                    errors.append(r.status)
                continue
            served = node_region.get(json.loads(answer)["node"], "?")
            with lock:
                results.append((region, served, ms))
        except Exception as e:  # a failed request counts, and the connection starts again
            with lock:
                errors.append(str(e)[:80])
            c = http.client.HTTPConnection(gateway, 8080, timeout=10)

workers = [threading.Thread(target=sender, args=(r, g)) for r, g in gateways.items() for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()

lat = sorted(ms for _, _, ms in results)
def pct(p):
    return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2) if lat else None
in_region = sum(1 for s, d, _ in results if s == d)
print(json.dumps({"benchmark": "lab-requests", "regionBlind": blind, "regions": len(gateways), "hosts": len(hosts),
                  "payloadKiB": payload_kib, "threadsPerRegion": threads, "seconds": seconds,
                  "requests": len(results), "errors": len(errors), "errorSamples": errors[:3],
                  "inRegionShare": round(in_region / max(1, len(results)), 4),
                  "p50Ms": pct(0.50), "p99Ms": pct(0.99), "maxMs": pct(1.0),
                  "requestsPerSecond": round(len(results) / seconds, 1)}))
PY
fi

hosts=${1:-6}; regions=${2:-2}; rate=${3:-100}; inter=${4:-20mbit}; seconds=${5:-15}; threads=${6:-4}; payload=${7:-8}
keygen=$(java -jar "$JAR" key --id lab --scopes "publish:*")
key=$(sed -n 's/^API key[^:]*: //p' <<<"$keygen")
entry=$(sed -n 's/^Config entry[^:]*: //p' <<<"$keygen")
cd "$ROOT"
out=$(mktemp /tmp/nflab-requests.XXXXXX)
trap 'rm -f "$out"' EXIT
for blind in 1 0; do
  LAB_REGIONS=$regions LAB_INTER_RATE=$inter LAB_REGION_BLIND=$blind LAB_NODE_ENV="NETFLOW_GATEWAY_API_KEYS=$entry" \
    "$ROOT/config/lab/lab.sh" run "$hosts" "${rate}mbit" 300 -- "$0" --inside "$key" "$seconds" "$threads" "$payload" "$blind" \
    | tail -1 | "$ROOT/config/lab/record.py" requests | tee -a "$out"
done
python3 - "${LAB_MIN_IN_REGION:-}" "$out" <<'PY'
import json, sys
blind, aware = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
print("lab: served in the sender's region %.1f%% (region-blind %.1f%%); p99 %.1f ms against %.1f ms region-blind (%.2fx)"
      % (100 * aware["inRegionShare"], 100 * blind["inRegionShare"], aware["p99Ms"], blind["p99Ms"], aware["p99Ms"] / blind["p99Ms"]))
if sys.argv[1] and aware["inRegionShare"] < float(sys.argv[1]):
    sys.exit("lab: in-region share %.3f is below the %.3f allowed" % (aware["inRegionShare"], float(sys.argv[1])))
PY
