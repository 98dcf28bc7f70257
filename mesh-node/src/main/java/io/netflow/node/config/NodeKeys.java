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
  public static final ConfigKey HTTP_PORT_COUNT = intKey("http.port-count", 100, 1, 1000,
    "How many ports from http.port to try when it is taken.");

  public static final ConfigKey REPORT_INTERVAL = longKey("membership.report-interval-ms", 500, 50, 60_000,
    "How often the node publishes its load report.");
  public static final ConfigKey STALE_AFTER = longKey("membership.stale-after-ms", 2_000, 100, 600_000,
    "A peer whose last report is older than this is stale (and its report's TTL in the cluster map).");

  public static final ConfigKey DRAIN_MS = longKey("shutdown.drain-ms", 1_000, 0, 60_000,
    "On SIGTERM, how long the node stays DRAINING (peers route around it) before it closes its servers.");
  public static final ConfigKey SHUTDOWN_TIMEOUT = longKey("shutdown.timeout-ms", 8_000, 1_000, 120_000,
    "On SIGTERM, the longest the node takes to leave before it exits anyway.");

  /** All keys, in documentation order. */
  public static final List<ConfigKey> ALL = List.of(
    NODE_NAME, NODE_ROLE, NODE_REGION, NODE_CAPACITY, NODE_DATA_DIR, NODE_UPLOAD, NODE_DOWNLOAD,
    CLUSTER_NAME, CLUSTER_HOST, CLUSTER_PORT, CLUSTER_PORT_COUNT, CLUSTER_JOIN, CLUSTER_CONFIG_FILE,
    CLUSTER_HEARTBEAT, CLUSTER_MAX_NO_HEARTBEAT,
    HTTP_HOST, HTTP_PORT, HTTP_PORT_COUNT,
    REPORT_INTERVAL, STALE_AFTER,
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

  private NodeKeys() {
  }
}
