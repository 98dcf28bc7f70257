package io.netflow.node.config;

import static io.netflow.node.config.ConfigKey.doubleKey;
import static io.netflow.node.config.ConfigKey.enumKey;
import static io.netflow.node.config.ConfigKey.intKey;
import static io.netflow.node.config.ConfigKey.listKey;
import static io.netflow.node.config.ConfigKey.longKey;
import static io.netflow.node.config.ConfigKey.stringKey;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every key a node reads, with its default and doc. {@code config/node.yaml} documents the same
 * keys with the same defaults (a test holds the two together).
 */
public final class NodeKeys {

  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";
  private static final String HOST = "[A-Za-z0-9][A-Za-z0-9.:-]{0,252}";
  private static final String HOST_PORT = HOST + "(:[0-9]{1,5})?";
  private static final long MAX_BYTES_PER_SECOND = 100L * 1024 * 1024 * 1024;

  public static final ConfigKey NODE_NAME = stringKey("node.name", "", "|" + NAME,
    "must be empty or 1-64 letters, digits, '.', '_' or '-'",
    "Human name of the node, shown in logs and the console. Empty: <cluster host>-<cluster port>.");
  public static final ConfigKey NODE_ROLE = enumKey("node.role", "edge", List.of("cloud", "edge"),
    "What the node runs on: cloud (large, well connected) or edge (near players).");
  public static final ConfigKey NODE_REGION = stringKey("node.region", "local", NAME,
    "must be 1-64 letters, digits, '.', '_' or '-'", "Region label, used by placement constraints.");
  public static final ConfigKey NODE_CAPACITY = doubleKey("node.capacity", 1.0, 0.01, 1000.0,
    "Relative capacity weight: a node of 4 takes about four times the work of a node of 1.");
  public static final ConfigKey NODE_DATA_DIR = stringKey("node.data-dir", "netflow-data", ".{1,4096}",
    "must be a non-empty path", "Directory for the node's files; each node uses <data-dir>/<name>.");
  public static final ConfigKey NODE_UPLOAD = longKey("node.upload-bytes-per-second", 64L * 1024 * 1024,
    1024, MAX_BYTES_PER_SECOND, "Upload budget in bytes per second that the node never exceeds.");
  public static final ConfigKey NODE_DOWNLOAD = longKey("node.download-bytes-per-second", 64L * 1024 * 1024,
    1024, MAX_BYTES_PER_SECOND, "Download budget in bytes per second that the node never exceeds.");

  public static final ConfigKey CLUSTER_NAME = stringKey("cluster.name", "netflow", NAME,
    "must be 1-64 letters, digits, '.', '_' or '-'", "Nodes join only nodes with the same cluster name.");
  public static final ConfigKey CLUSTER_HOST = stringKey("cluster.host", "127.0.0.1", HOST,
    "must be an IP address or host name", "Address the node binds for the cluster and event bus, and advertises to peers.");
  public static final ConfigKey CLUSTER_PORT = intKey("cluster.port", 5701, 1, 65535,
    "First cluster port to try.");
  public static final ConfigKey CLUSTER_PORT_COUNT = intKey("cluster.port-count", 100, 1, 1000,
    "How many ports from cluster.port to try when it is taken.");
  public static final ConfigKey CLUSTER_JOIN = listKey("cluster.join", List.of("127.0.0.1"), HOST_PORT,
    "must be a list of host or host:port",
    "Peers to join over TCP (host or host:port; a bare host is probed on the first ports from cluster.port).");
  public static final ConfigKey CLUSTER_K8S_DNS = stringKey("cluster.kubernetes-service-dns", "",
    "|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?", "must be empty or a DNS name",
    "On Kubernetes: the headless Service whose DNS lists the pods (e.g. netflow-hz.mesh.svc.cluster.local); "
      + "members are found through it instead of cluster.join. Empty: TCP join to cluster.join.");
  public static final ConfigKey CLUSTER_CONFIG_FILE = stringKey("cluster.config-file", "", ".{0,4096}",
    "must be a path", "Hazelcast YAML or XML config to start from; empty uses the embedded config/cluster.yaml.");
  public static final ConfigKey CLUSTER_HEARTBEAT = intKey("cluster.heartbeat-seconds", 1, 1, 60,
    "Seconds between cluster heartbeats.");
  public static final ConfigKey CLUSTER_MAX_NO_HEARTBEAT = intKey("cluster.max-no-heartbeat-seconds", 5, 2, 600,
    "A member silent this long is removed (a killed process is removed at once when its socket closes).");

  public static final ConfigKey HTTP_HOST = stringKey("http.host", "127.0.0.1", HOST,
    "must be an IP address or host name", "Interface the HTTP API binds; 0.0.0.0 for all.");
  public static final ConfigKey HTTP_PORT = intKey("http.port", 8080, 0, 65535,
    "First HTTP port to try; 0 picks any free port.");
  public static final ConfigKey TLS_CERT = stringKey("http.tls-cert", "", ".{0,4096}", "must be a path",
    "PEM certificate chain for HTTPS and WSS; with http.tls-key. Empty: plain HTTP.");
  public static final ConfigKey TLS_KEY = stringKey("http.tls-key", "", ".{0,4096}", "must be a path",
    "PEM private key for HTTPS and WSS; with http.tls-cert.");
  public static final ConfigKey HTTP_PORT_COUNT = intKey("http.port-count", 100, 1, 1000,
    "How many ports from http.port to try when it is taken.");

  public static final ConfigKey REPORT_INTERVAL = longKey("membership.report-interval-ms", 500, 50, 60_000,
    "How often the node publishes its load report.");
  public static final ConfigKey STALE_AFTER = longKey("membership.stale-after-ms", 2_000, 100, 600_000,
    "A peer whose last report is older than this is stale (and its report's TTL in the cluster map).");

  public static final ConfigKey MAX_PAYLOAD = intKey("mesh.max-payload-bytes", 1 << 20, 1, 256 << 20,
    "The largest envelope payload accepted; larger ones fail with TOO_LARGE (1006).");
  public static final ConfigKey ATTEMPT_TIMEOUT = longKey("mesh.attempt-timeout-ms", 1_000, 1, 600_000,
    "The longest one node is given to answer before a request is rerouted, within its deadline.");
  public static final ConfigKey SUSPECT_AFTER = longKey("mesh.suspect-after-ms", 250, 0, 600_000,
    "Silence on a link, with requests on the wire, before the peer is checked: one that refuses connections is routed around at once; 0 never checks.");
  public static final ConfigKey DEDUPE_ENTRIES = intKey("mesh.dedupe-entries", 100_000, 1, 10_000_000,
    "How many CRITICAL and HIGH envelope ids a node remembers, to answer duplicates from memory.");
  public static final ConfigKey DEDUPE_TTL = longKey("mesh.dedupe-ttl-ms", 60_000, 1, 86_400_000,
    "How long an envelope id is remembered.");
  public static final ConfigKey DEDUPE_MAX_BYTES = longKey("mesh.dedupe-max-bytes", 64L << 20, 1024, 1L << 40,
    "Bytes the remembered answers to CRITICAL and HIGH envelopes may take; past it the oldest are forgotten (counted).");
  public static final ConfigKey MAX_TOPICS = intKey("mesh.max-topics", 100_000, 1, 100_000_000,
    "Distinct topics this node subscribes to at most (for itself and its gateway clients); one more is refused LIMIT_REACHED (1021).");
  public static final ConfigKey SHARDS = intKey("mesh.shards", 0, 0, 1024,
    "Event loops of the data plane: each routes requests and owns the links to some destinations; 0 is one per core.");
  public static final ConfigKey MAX_REASSEMBLY = longKey("mesh.max-reassembly-bytes", 64L << 20, 1024, 1L << 34,
    "Bytes of chunked envelopes a node holds while their chunks arrive.");
  public static final ConfigKey ADMISSION_INITIAL = intKey("admission.initial-limit", 64, 1, 1_000_000,
    "Concurrent requests admitted at start; the limit then adapts to measured service time.");
  public static final ConfigKey ADMISSION_MAX = intKey("admission.max-limit", 2_000, 1, 1_000_000,
    "The most concurrent requests a node ever admits; past its adaptive limit it answers OVERLOADED.");
  public static final ConfigKey BALANCE_EPSILON = doubleKey("routing.balance-epsilon", 0.25, 0.01, 10,
    "Keyed routing: no node takes more than (1 + epsilon) times its share of in-flight requests.");
  public static final ConfigKey LATENCY_DECAY = longKey("routing.latency-decay-ms", 2_000, 10, 600_000,
    "Time constant over which a node's latency peak decays (peak EWMA).");
  public static final ConfigKey SLOW_START = longKey("routing.slow-start-ms", 5_000, 0, 600_000,
    "A node that just joined takes a share ramping from 10% to 100% over this window.");
  public static final ConfigKey REGION_LOCALITY = enumKey("routing.locality", "region", List.of("region", "none"),
    "region: requests go to hosts in the sender's region while they have room; none: regions are ignored.");
  public static final ConfigKey REGION_SPILL_FROM = doubleKey("routing.region-spill-from", 0.75, 0.05, 1,
    "Utilisation of in-region hosts past which requests spill to other regions, in proportion (all of them at 1).");
  public static final ConfigKey REGION_MIN_HOSTS = intKey("routing.region-min-hosts", 1, 1, 1_000,
    "In-region hosts of a service needed to keep all its requests in the region; with fewer, the shortfall spills.");
  public static final ConfigKey REGION_SPILL_SMOOTHING = longKey("routing.region-spill-smoothing-ms", 2_000, 0, 60_000,
    "Time constant over which the share that spills follows the in-region hosts' reports (0: at once).");
  public static final ConfigKey LINK_WINDOW = intKey("lanes.link-window-bytes", 64 * 1024, 1024, 64 << 20,
    "Bytes of non-CRITICAL envelopes sent and unanswered per destination: small keeps CRITICAL's wait short.");
  public static final ConfigKey CHUNK_BYTES = intKey("lanes.chunk-bytes", 64 * 1024, 1024, 16 << 20,
    "Payloads larger than this travel in chunks of this size, so other lanes pass between them.");
  public static final ConfigKey CRITICAL_QUEUE = longKey("lanes.critical.max-queued-bytes", 4L << 20, 1024, 1L << 34,
    "Bytes of CRITICAL envelopes queued per destination before new ones are answered OVERLOADED.");
  public static final ConfigKey HIGH_WEIGHT = laneWeight("high", 16);
  public static final ConfigKey HIGH_QUEUE = laneQueue("high", 8L << 20);
  public static final ConfigKey HIGH_CEILING = laneCeiling("high");
  public static final ConfigKey NORMAL_WEIGHT = laneWeight("normal", 8);
  public static final ConfigKey NORMAL_QUEUE = laneQueue("normal", 8L << 20);
  public static final ConfigKey NORMAL_CEILING = laneCeiling("normal");
  public static final ConfigKey MODEL_WEIGHT = laneWeight("model", 2);
  public static final ConfigKey MODEL_QUEUE = laneQueue("model", 32L << 20);
  public static final ConfigKey MODEL_CEILING = laneCeiling("model");
  public static final ConfigKey BULK_WEIGHT = laneWeight("bulk", 1);
  public static final ConfigKey BULK_QUEUE = laneQueue("bulk", 8L << 20);
  public static final ConfigKey BULK_CEILING = laneCeiling("bulk");

  public static final ConfigKey ADMIN_KEYS = listKey("http.admin-key-sha256", List.of(), "[0-9a-fA-F]{64}",
    "must be a list of SHA-256 digests in hex",
    "SHA-256 (hex) of each admin key; admin routes (model publish, rollback) refuse everyone when empty.");
  public static final ConfigKey TRUSTED_KEYS = listKey("models.trusted-keys", List.of(), "[A-Za-z0-9._-]{1,64}=[A-Za-z0-9+/]{20,200}={0,2}",
    "must be a list of keyId=base64 Ed25519 public keys",
    "Model publishers this node trusts, keyId=base64 (from 'model keygen'); others' versions are refused.");
  public static final ConfigKey MODEL_CHUNK = intKey("models.chunk-bytes", 64 * 1024, 1024, 16 << 20,
    "Chunk size of versions published on this node (peers fetch and verify chunk by chunk).");
  public static final ConfigKey MODEL_MAX = longKey("models.max-bytes", 4L << 30, 1, 1L << 40,
    "The largest model version accepted for publishing; larger uploads fail with TOO_LARGE.");
  public static final ConfigKey MODEL_KEEP = intKey("models.keep-versions", 3, 1, 100,
    "Versions of each model kept on disk, for rollback; older ones are deleted.");
  public static final ConfigKey MODEL_PEER_IN_FLIGHT = intKey("models.peer-in-flight", 2, 1, 64,
    "Chunk requests in flight to one peer at most.");
  public static final ConfigKey MODEL_IN_FLIGHT = intKey("models.total-in-flight", 8, 1, 1024,
    "Chunk requests in flight per version at most.");
  public static final ConfigKey MODEL_MIN_RATE = longKey("models.min-bytes-per-second", 256 * 1024, 1024, MAX_BYTES_PER_SECOND,
    "The least a rollout is slowed to while gameplay needs the links.");
  public static final ConfigKey MODEL_LATENCY_TARGET = longKey("models.critical-latency-target-micros", 5_000, 10, 60_000_000,
    "CRITICAL latency above which model fetches halve their rate (AIMD); below it they climb back.");

  public static final ConfigKey DEVICE_WAVES = listKey("models.device-waves", List.of("1", "10", "50", "100"),
    "[0-9]{1,3}", "must be a list of percentages rising to 100",
    "Share of devices (percent) a new version opens to in each wave; a device's wave is a stable hash of its id and the version.");
  public static final ConfigKey DEVICE_WAVE_MS = longKey("models.device-wave-ms", 600_000, 1, 30L * 86_400_000,
    "Time between device waves; an admin may pause, resume or abort them.");
  public static final ConfigKey DEVICE_SOURCES = intKey("models.device-sources", 3, 1, 16,
    "Nodes a device is told it may download a version from (same region first, then the least busy with budget left).");
  public static final ConfigKey DEVICE_RANGE = intKey("models.device-range-bytes", 1 << 20, 4096, 64 << 20,
    "Largest range of a model file sent to a device at once (zero-copy); larger requests are paced to the budget.");
  public static final ConfigKey DEVICE_QUEUE_MS = longKey("models.device-queue-ms", 500, 0, 60_000,
    "Longest a device's range waits for its bytes of the budget; past it the device is told to try its next source.");
  public static final ConfigKey DEVICE_EGRESS = longKey("node.device-egress-bytes-per-second", 32L << 20, 1024, MAX_BYTES_PER_SECOND,
    "Budget for model downloads by devices, never exceeded; past it devices are steered to other nodes or told to retry.");
  public static final ConfigKey API_KEYS = listKey("gateway.api-keys", List.of(), "[A-Za-z0-9._-]{1,64}:[0-9a-fA-F]{64}:.+",
    "must be a list of id:sha256hex:scopes",
    "API keys of game servers and Micro Nodes: id:sha256(secret):scopes, scopes publish:<glob> subscribe:<glob> work:<glob> contribute models:<glob> admin.");
  public static final ConfigKey MAX_BODY = intKey("gateway.max-body-bytes", 2 << 20, 1024, 256 << 20,
    "Largest HTTP message body; larger ones get 413 TOO_LARGE.");
  public static final ConfigKey RATE = longKey("gateway.rate-per-second", 1_000, 1, 10_000_000,
    "Messages per second each API key may send; past it 429 RATE_LIMITED with Retry-After.");
  public static final ConfigKey RATE_BURST = longKey("gateway.rate-burst", 2_000, 1, 10_000_000,
    "Messages a key may send at once above its rate.");
  public static final ConfigKey WS_FRAME = intKey("gateway.ws-max-frame-bytes", 1 << 20, 1024, 64 << 20,
    "Largest WebSocket frame or message; a larger one closes the socket (1009).");
  public static final ConfigKey WS_QUEUE = intKey("gateway.ws-max-queued-bytes", 4 << 20, 1024, 1 << 30,
    "Bytes queued to a slow WebSocket reader before deliveries to it are dropped (and counted to it).");
  public static final ConfigKey WS_MAX_SUBSCRIPTIONS = intKey("gateway.ws-max-subscriptions", 10_000, 1, 10_000_000,
    "Topics one WebSocket or event-bus bridge client may subscribe to at once; one more is refused LIMIT_REACHED (1021).");
  public static final ConfigKey IDLE_TIMEOUT = intKey("gateway.idle-timeout-seconds", 60, 0, 86_400,
    "An HTTP or WebSocket connection silent this long is closed; 0 never.");
  public static final ConfigKey WS_COMPRESSION = enumKey("gateway.ws-compression", "none", List.of("none", "deflate"),
    "WebSocket compression offered to clients (permessage-deflate, deflate-frame): none, or deflate. None by default: small game messages gain little, and the handler it needs sits on every HTTP response.");
  public static final ConfigKey MAX_CONNECTIONS = intKey("gateway.max-connections", 10_000, 1, 10_000_000,
    "Open HTTP and WebSocket connections at most; one more is answered 503 OVERLOADED (Retry-After) at its first request and closed.");
  public static final ConfigKey HTTP_INSTANCES = intKey("gateway.instances", 0, 0, 1024,
    "HTTP server instances sharing the port, each on its own event loop (HTTP, WebSocket, SSE, SockJS bridge); 0 is one per event loop. Limits stay node-wide.");
  public static final ConfigKey CORS_ORIGINS = listKey("gateway.cors-origins", List.of(), "\\*|https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?",
    "must be a list of origins such as https://game.example:8443, or *",
    "Origins whose browser pages may call the HTTP API (CORS), e.g. a web game's; * for any; none by default.");
  public static final ConfigKey TCP_BRIDGE_PORT = intKey("gateway.tcp-bridge-port", 0, 0, 65535,
    "Port of the Vert.x TCP event-bus bridge (bound on http.host) for clients in any language; 0 turns it off.");
  public static final ConfigKey DEFAULT_TIMEOUT = longKey("gateway.default-timeout-ms", 5_000, 1, 600_000,
    "Deadline of a message that names none.");
  public static final ConfigKey INGRESS_BATCH_MAX = intKey("gateway.ingress-batch-max", 64, 1, 4_096,
    "NORMAL, MODEL and BULK requests read in one event-loop turn are handed to the mesh together, at most this many at a time.");

  public static final ConfigKey WORK_POLL = longKey("scheduling.poll-interval-ms", 500, 10, 60_000,
    "How often a node with room looks for work; it also looks at once when work is queued.");
  public static final ConfigKey WORK_LEASE = longKey("scheduling.lease-ms", 5_000, 300, 600_000,
    "A claim on a work item holds this long unless its node renews it (every third of it); a lapsed item is run elsewhere.");
  public static final ConfigKey WORK_CONCURRENCY = intKey("scheduling.max-concurrency", 16, 1, 10_000,
    "Work items running on this node at once at most; NORMAL and BULK get an adaptive share of them.");
  public static final ConfigKey WORK_MAX_COST = doubleKey("scheduling.max-cost-in-flight", 16.0, 0.001, 1e9,
    "Sum of the cost estimates of work running on this node at most (a dearer item runs alone).");
  public static final ConfigKey WORK_ATTEMPTS = intKey("scheduling.max-attempts", 3, 1, 100,
    "Runs of a work item in all (a failure or a node dying mid-run uses one) before it is FAILED.");
  public static final ConfigKey WORK_BACKOFF = longKey("scheduling.retry-backoff-ms", 500, 0, 3_600_000,
    "A failed work item waits this long before its second run, twice as long before its third, and so on.");
  public static final ConfigKey WORK_BACKOFF_MAX = longKey("scheduling.retry-backoff-max-ms", 30_000, 0, 86_400_000,
    "The longest a failed work item waits before its next run.");
  public static final ConfigKey WORK_PAYLOAD = intKey("scheduling.max-payload-bytes", 65_536, 0, 16 << 20,
    "Largest payload of a work request (413 past it): the item lives in a cluster map; pass big inputs by ref.");
  public static final ConfigKey WORK_RESULT = intKey("scheduling.max-result-bytes", 65_536, 0, 16 << 20,
    "Largest result kept with a work item; a larger one fails the attempt.");
  public static final ConfigKey WORK_QUEUED = intKey("scheduling.max-queued", 100_000, 1, 100_000_000,
    "Unfinished work items the mesh holds at most; a submit past it is refused OVERLOADED (503).");
  public static final ConfigKey WORK_DEADLINE = longKey("scheduling.default-deadline-ms", 3_600_000, 1, 7L * 24 * 3_600_000,
    "Deadline of a work request that names none, from submission.");
  public static final ConfigKey WORK_RETENTION = longKey("scheduling.retention-ms", 3_600_000, 1_000, 30L * 24 * 3_600_000,
    "How long a finished work item stays readable.");
  public static final ConfigKey WORK_QUIET_FRACTION = doubleKey("scheduling.quiet-fraction", 0.5, 0.0, 1.0,
    "BULK work runs while the mesh's interactive request rate is at most this fraction of its recent peak...");
  public static final ConfigKey WORK_QUIET_FLOOR = doubleKey("scheduling.quiet-floor-per-second", 50.0, 0.0, 1e9,
    "...or at most this many requests per second, mesh-wide.");
  public static final ConfigKey WORK_BULK_URGENCY = longKey("scheduling.bulk-urgency-ms", 60_000, 0, 7L * 24 * 3_600_000,
    "A BULK item runs even while the mesh is busy once its deadline is this near.");
  public static final ConfigKey WORK_BUSY_BULK = intKey("scheduling.busy-bulk-concurrency", 1, 0, 10_000,
    "BULK items a node runs at once while the mesh is busy (only those whose deadline is near run then).");
  public static final ConfigKey WORK_LATENCY_TARGET = longKey("scheduling.latency-target-micros", 5_000, 10, 60_000_000,
    "CRITICAL latency above which a node admits less NORMAL and BULK work (AIMD), and BULK waits.");
  public static final ConfigKey REWARD_WINDOW = longKey("rewards.window-ms", 900_000, 100, 86_400_000,
    "Length of a reward window; a contribution is paid the multiplier of the window it arrives in.");
  public static final ConfigKey REWARD_PERIOD = longKey("rewards.period-ms", 86_400_000, 1_000, 30L * 86_400_000,
    "The cycle load repeats over: a window's load is forecast from the same window of past cycles.");
  public static final ConfigKey REWARD_HORIZON = intKey("rewards.horizon-windows", 16, 1, 10_000,
    "Windows planned and published ahead; a published multiplier never changes.");
  public static final ConfigKey REWARD_HISTORY = intKey("rewards.history-periods", 7, 1, 365,
    "Cycles of load history kept and averaged.");
  public static final ConfigKey REWARD_MIN = doubleKey("rewards.min-multiplier", 1.0, 0.0, 1000.0,
    "Multiplier of the busiest window (and of every window while load is flat or unknown).");
  public static final ConfigKey REWARD_MAX = doubleKey("rewards.max-multiplier", 3.0, 0.0, 1000.0,
    "Multiplier of the quietest window.");
  public static final ConfigKey REWARD_MAX_BYTES = longKey("rewards.max-bytes", 16L << 20, 1, 1L << 40,
    "Largest contribution accepted (413 past it; inline ones are also bound by gateway.max-body-bytes).");
  public static final ConfigKey REWARD_RATE = longKey("rewards.rate-per-minute", 60, 1, 1_000_000_000,
    "Contributions per minute per contributor on one node (429 with Retry-After past it).");
  public static final ConfigKey REWARD_TYPES = listKey("rewards.types", List.of("gameplay-trace=10", "telemetry=2",
    "labelled-frame=20"), "[a-z0-9][a-z0-9._-]{0,63}=[0-9]{1,9}", "must be a list of type=basePoints",
    "Accepted contribution types, name=basePoints (points for 1 KiB of the best quality at multiplier 1).");

  public static final ConfigKey DRAIN_MS = longKey("shutdown.drain-ms", 1_000, 0, 60_000,
    "On SIGTERM, how long the node stays DRAINING (peers route around it) before it closes its servers.");
  public static final ConfigKey SHUTDOWN_TIMEOUT = longKey("shutdown.timeout-ms", 8_000, 1_000, 120_000,
    "On SIGTERM, the longest the node takes to leave before it exits anyway.");

  /** All keys, in documentation order. */
  public static final List<ConfigKey> ALL = List.of(
    NODE_NAME, NODE_ROLE, NODE_REGION, NODE_CAPACITY, NODE_DATA_DIR, NODE_UPLOAD, NODE_DOWNLOAD,
    CLUSTER_NAME, CLUSTER_HOST, CLUSTER_PORT, CLUSTER_PORT_COUNT, CLUSTER_JOIN, CLUSTER_K8S_DNS, CLUSTER_CONFIG_FILE,
    CLUSTER_HEARTBEAT, CLUSTER_MAX_NO_HEARTBEAT,
    HTTP_HOST, HTTP_PORT, HTTP_PORT_COUNT, TLS_CERT, TLS_KEY,
    REPORT_INTERVAL, STALE_AFTER,
    MAX_PAYLOAD, ATTEMPT_TIMEOUT, SUSPECT_AFTER, DEDUPE_ENTRIES, DEDUPE_TTL, DEDUPE_MAX_BYTES, MAX_TOPICS, SHARDS, MAX_REASSEMBLY,
    ADMISSION_INITIAL, ADMISSION_MAX,
    BALANCE_EPSILON, LATENCY_DECAY, SLOW_START, REGION_LOCALITY, REGION_SPILL_FROM, REGION_MIN_HOSTS,
    REGION_SPILL_SMOOTHING,
    LINK_WINDOW, CHUNK_BYTES, CRITICAL_QUEUE,
    HIGH_WEIGHT, HIGH_QUEUE, HIGH_CEILING, NORMAL_WEIGHT, NORMAL_QUEUE, NORMAL_CEILING,
    MODEL_WEIGHT, MODEL_QUEUE, MODEL_CEILING, BULK_WEIGHT, BULK_QUEUE, BULK_CEILING,
    ADMIN_KEYS, TRUSTED_KEYS, MODEL_CHUNK, MODEL_MAX, MODEL_KEEP, MODEL_PEER_IN_FLIGHT, MODEL_IN_FLIGHT,
    MODEL_MIN_RATE, MODEL_LATENCY_TARGET, DEVICE_WAVES, DEVICE_WAVE_MS, DEVICE_SOURCES, DEVICE_RANGE, DEVICE_QUEUE_MS, DEVICE_EGRESS,
    API_KEYS, MAX_BODY, RATE, RATE_BURST, WS_FRAME, WS_QUEUE, WS_MAX_SUBSCRIPTIONS, WS_COMPRESSION, IDLE_TIMEOUT, MAX_CONNECTIONS, HTTP_INSTANCES, CORS_ORIGINS, TCP_BRIDGE_PORT, DEFAULT_TIMEOUT, INGRESS_BATCH_MAX,
    WORK_POLL, WORK_LEASE, WORK_CONCURRENCY, WORK_MAX_COST, WORK_ATTEMPTS, WORK_BACKOFF, WORK_BACKOFF_MAX, WORK_PAYLOAD, WORK_RESULT, WORK_QUEUED, WORK_DEADLINE, WORK_RETENTION, WORK_QUIET_FRACTION, WORK_QUIET_FLOOR, WORK_BULK_URGENCY, WORK_BUSY_BULK, WORK_LATENCY_TARGET,
    REWARD_WINDOW, REWARD_PERIOD, REWARD_HORIZON, REWARD_HISTORY, REWARD_MIN, REWARD_MAX, REWARD_MAX_BYTES, REWARD_RATE, REWARD_TYPES,
    DRAIN_MS, SHUTDOWN_TIMEOUT);

  /** Keys by dotted name. */
  public static final Map<String, ConfigKey> BY_NAME = ALL.stream()
    .collect(Collectors.toUnmodifiableMap(ConfigKey::name, Function.identity()));

  /** Command-line flags and the key each sets ({@code --config} and {@code --help} are handled apart). */
  public static final Map<String, ConfigKey> FLAGS = Map.of(
    "--host", CLUSTER_HOST,
    "--cluster-port", CLUSTER_PORT,
    "--join", CLUSTER_JOIN,
    "--http-port", HTTP_PORT,
    "--role", NODE_ROLE,
    "--region", NODE_REGION,
    "--name", NODE_NAME,
    "--data-dir", NODE_DATA_DIR);

  private static ConfigKey laneWeight(String lane, int def) {
    return intKey("lanes." + lane + ".weight", def, 1, 1000,
      "Deficit-round-robin weight of the " + lane.toUpperCase() + " lane among HIGH, NORMAL, MODEL and BULK.");
  }

  private static ConfigKey laneQueue(String lane, long def) {
    return longKey("lanes." + lane + ".max-queued-bytes", def, 1024, 1L << 34, "Bytes of " + lane.toUpperCase()
      + " envelopes queued per destination before new ones are answered OVERLOADED (BULK: shed).");
  }

  private static ConfigKey laneCeiling(String lane) {
    return longKey("lanes." + lane + ".ceiling-bytes-per-second", 0, 0, MAX_BYTES_PER_SECOND,
      "Node-wide ceiling of the " + lane.toUpperCase() + " lane in bytes per second; 0 for none.");
  }

  private NodeKeys() {
  }
}
