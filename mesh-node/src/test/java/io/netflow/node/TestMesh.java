package io.netflow.node;

import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import java.util.function.UnaryOperator;

/**
 * Several clustered nodes in one JVM, each with its own Hazelcast instance, started one after
 * another on free ports, under a cluster name no other run uses. Closing stops them all.
 */
public final class TestMesh implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private final String clusterName = "test-" + UUID.randomUUID();
  private final List<NetflowNode> nodes = new ArrayList<>();
  private final List<String> joinAddresses = new ArrayList<>();
  private final Path dataDir;

  public TestMesh() {
    try {
      dataDir = Files.createTempDirectory("netflow-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A mesh whose nodes keep their data under {@code dataDir}: a node started again by name finds its disk. */
  public TestMesh(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** Starts one more node with test timings (fast reports, short drain) and waits until it is ready. */
  public NetflowNode start(String name) throws Exception {
    return start(name, UnaryOperator.identity());
  }

  /** Starts one more node, letting the caller adjust its config first. */
  public NetflowNode start(String name, UnaryOperator<NodeConfig> adjust) throws Exception {
    int clusterPort = freePort();
    joinAddresses.add("127.0.0.1:" + clusterPort);
    NodeConfig config = NodeConfig.defaults()
      .set(NodeKeys.NODE_NAME, name)
      .set(NodeKeys.NODE_DATA_DIR, dataDir.toString())
      .set(NodeKeys.CLUSTER_NAME, clusterName)
      .set(NodeKeys.CLUSTER_PORT, clusterPort)
      .set(NodeKeys.CLUSTER_PORT_COUNT, 1)
      .set(NodeKeys.CLUSTER_JOIN, List.copyOf(joinAddresses))
      .set(NodeKeys.HTTP_PORT, 0)
      .set(NodeKeys.REPORT_INTERVAL, 100)
      .set(NodeKeys.STALE_AFTER, 600)
      .set(NodeKeys.DRAIN_MS, 500)
      .set(NodeKeys.SLOW_START, 0);
    NetflowNode node = new NetflowNode(adjust.apply(config));
    node.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    nodes.add(node);
    return node;
  }

  public List<NetflowNode> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * Kills a node as a crash would: its Hazelcast instance is terminated without a goodbye, then
   * its Vert.x closed. Peers learn of it only from the dropped connection.
   */
  public void kill(NetflowNode node) throws Exception {
    hazelcast(node).getLifecycleService().terminate();
    nodes.remove(node);
    node.vertx().close();
  }

  /** The node's own Hazelcast member. */
  public static com.hazelcast.core.HazelcastInstance hazelcast(NetflowNode node) {
    var clusterManager = (io.vertx.spi.cluster.hazelcast.HazelcastClusterManager)
      ((io.vertx.core.internal.VertxInternal) node.vertx()).clusterManager();
    return clusterManager.getHazelcastInstance();
  }

  /**
   * Tells {@code node} that its side of a split cluster merged into the other side, as its
   * Hazelcast member does when a merge ends; what the merge lost of the cluster's maps is the
   * test's to take away before.
   */
  public static void mergedIntoOtherSide(NetflowNode node) {
    ((com.hazelcast.instance.impl.LifecycleServiceImpl) hazelcast(node).getLifecycleService())
      .fireLifecycleEvent(com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED);
  }

  /**
   * Removes every entry of node {@code nodeId} from the cluster's list of event-bus consumers, as
   * a merge after a split (or, for a moment, a member leaving) can; through {@code via}'s member.
   *
   * @return the addresses whose entry was removed
   */
  public static java.util.List<String> unlistConsumers(NetflowNode via, String nodeId) {
    com.hazelcast.multimap.MultiMap<String, io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo> subs =
      hazelcast(via).getMultiMap("__vertx.subs");
    java.util.List<String> removed = new java.util.ArrayList<>();
    for (String address : subs.keySet()) {
      for (io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo r : subs.get(address)) {
        if (r.unwrap().nodeId().equals(nodeId) && subs.remove(address, r)) {
          removed.add(address);
        }
      }
    }
    return removed;
  }

  /** Waits until every node's view shows {@code service} hosted on {@code hosts} nodes. */
  public void awaitHosts(String service, int hosts) throws InterruptedException {
    for (NetflowNode n : nodes) {
      await(Duration.ofSeconds(10), n.name() + " sees " + hosts + " hosts of " + service, () -> n.view().entries().stream()
        .filter(e -> e.report().traffic().services().contains(service)).count() == hosts);
    }
  }

  /** Waits until every node knows {@code topic} subscribed on {@code count} nodes. */
  public void awaitSubscribers(String topic, int count) throws InterruptedException {
    for (NetflowNode n : nodes) {
      await(Duration.ofSeconds(10), n.name() + " sees " + count + " subscribers of " + topic,
        () -> n.topicInterest().nodes(topic).length == count);
    }
  }

  /** Blocks for a Vert.x future's result (test threads only). */
  public static <T> T join(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Stops one node gracefully and waits until it has left. */
  public void stop(NetflowNode node) throws Exception {
    node.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    nodes.remove(node);
  }

  @Override
  public void close() throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    nodes.clear();
  }

  /** GETs a path of a node's HTTP API. */
  public static HttpResponse<String> get(NetflowNode node, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).timeout(Duration.ofSeconds(5)).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  /** Waits (Awaitility, polling every 10 ms) until {@code condition} holds, or fails after {@code timeout} naming {@code what}. */
  public static void await(Duration timeout, String what, BooleanSupplier condition) {
    Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(10)).pollDelay(Duration.ZERO)
      .until(condition::getAsBoolean);
  }

  /**
   * A port free now, below the kernel's ephemeral range: a port the kernel hands out itself could
   * be taken by any outgoing connection (a node joining its peers) before the test binds it.
   */
  public static int freePort() {
    int below = ephemeralLow();
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1_000 && below > 10_001; attempt++) {
      int port = random.nextInt(10_000, below);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new java.net.InetSocketAddress("0.0.0.0", port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
