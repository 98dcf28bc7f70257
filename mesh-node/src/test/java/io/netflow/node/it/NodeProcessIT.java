package io.netflow.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes as separate JVMs from the built jar, started with one and the same command as the README's,
 * as an operator would: the second finds free ports by itself and joins the first.
 */
class NodeProcessIT {

  @TempDir
  Path dataDir;

  private final List<NodeProcess> started = new ArrayList<>();
  private final String cluster = "it-" + UUID.randomUUID();

  @AfterEach
  void killAll() throws InterruptedException {
    for (NodeProcess p : started) {
      p.close();
    }
  }

  /** Two nodes from the same command line, on base ports no other test uses. */
  private List<NodeProcess> startTwo() throws Exception {
    int clusterPort = freeRange();
    int httpPort = freeRange();
    List<String> args = List.of("--cluster-port", String.valueOf(clusterPort), "--http-port", String.valueOf(httpPort),
      "--data-dir", dataDir.toString());
    Map<String, String> env = Map.of("NETFLOW_CLUSTER_NAME", cluster, "NETFLOW_SHUTDOWN_DRAIN_MS", "1000");
    NodeProcess first = start("first", args, env);
    long firstReady = first.awaitReady(Duration.ofSeconds(60));
    NodeProcess second = start("second", args, env);
    long secondReady = second.awaitReady(Duration.ofSeconds(60));
    System.out.printf("[measure] java -jar to ready: first %d ms, second %d ms%n", firstReady, secondReady);
    return List.of(first, second);
  }

  private NodeProcess start(String name, List<String> args, Map<String, String> env) throws Exception {
    NodeProcess p = NodeProcess.start(name + "-" + started.size(), args, env);
    started.add(p);
    return p;
  }

  private static JsonArray nodes(NodeProcess p) throws Exception {
    return new JsonObject(p.get("/v1/mesh/nodes")).getJsonArray("nodes");
  }

  @Test
  void secondNodeFindsFreePortsJoinsAndSeesAKilledPeerLeaveWithin3s() throws Exception {
    List<NodeProcess> two = startTwo();
    NodeProcess first = two.get(0);
    NodeProcess second = two.get(1);
    assertThat(second.httpUrl()).isNotEqualTo(first.httpUrl());
    assertThat(Files.readString(first.stdout)).containsPattern(
      "NetFlow node \\S+ up: id [0-9a-f-]{36}, role edge, region local, cluster '" + cluster + "' of 1, HTTP http://127\\.0\\.0\\.1:\\d+");
    assertThat(Files.readString(second.stdout)).contains("cluster '" + cluster + "' of 2");
    awaitNodes(first, 2, Duration.ofSeconds(5));
    awaitNodes(second, 2, Duration.ofSeconds(5));
    Thread.sleep(2_000);
    System.out.printf("[measure] idle RSS: first %d MiB, second %d MiB%n", first.rssMib(), second.rssMib());

    long killedAt = System.nanoTime();
    second.process.destroyForcibly();
    awaitNodes(first, 1, Duration.ofSeconds(3));
    System.out.printf("[measure] kill -9 to gone from peer's view: %d ms%n",
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
    assertThat(new JsonObject(first.get("/v1/mesh/nodes")).getInteger("clusterSize")).isEqualTo(1);
  }

  /**
   * A killed peer whose death the cluster has not yet seen. Hazelcast's connection monitor is given a
   * fault budget it never reaches, so the cluster removes the killed member only when its heartbeats
   * stop (5 s), as when the drop of a connection is not seen at all; the attempt timeout is 4 s. The
   * requests whose keys rank the killed node first are answered by the other at once all the same:
   * the link to the killed node hears nothing, finds its event bus refusing connections and fails what
   * it holds, and routing counts the node as stale until the cluster removes it. Without the check
   * each of them would wait out its 4 s attempt.
   */
  @Test
  void aKilledPeerIsRoutedAroundBeforeTheClusterRemovesIt() throws Exception {
    String key = "secret-" + UUID.randomUUID();
    Map<String, String> env = Map.of("NETFLOW_CLUSTER_NAME", cluster, "NETFLOW_MESH_ATTEMPT_TIMEOUT_MS", "4000",
      "NETFLOW_GATEWAY_API_KEYS", ApiKeys.entry("it", key, "publish:*"),
      "JAVA_TOOL_OPTIONS", "-Dhazelcast.connection.monitor.max.faults=1000000");
    int clusterPort = freeRange();
    int httpPort = freeRange();
    List<String> args = List.of("--cluster-port", String.valueOf(clusterPort), "--http-port", String.valueOf(httpPort),
      "--data-dir", dataDir.toString());
    NodeProcess first = start("first", args, env);
    first.awaitReady(Duration.ofSeconds(60));
    NodeProcess second = start("second", args, env);
    second.awaitReady(Duration.ofSeconds(60));
    awaitNodes(first, 2, Duration.ofSeconds(10));
    String secondId = new JsonObject(second.get("/v1/mesh/nodes")).getString("self");
    // The player keys the second node serves (rendezvous hashing ranks it first for about half).
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < 20 && i < 400; i++) {
      JsonObject answer = new JsonObject(first.post("/v1/messages", key, ping("player-" + i)).body());
      if (secondId.equals(answer.getString("node"))) {
        keys.add("player-" + i);
      }
    }
    assertThat(keys).hasSize(20);

    long killedAt = System.nanoTime();
    second.process.destroyForcibly();
    long longest = 0;
    List<String> failed = new ArrayList<>();
    for (String k : keys) {
      long start = System.nanoTime();
      java.net.http.HttpResponse<String> r = first.post("/v1/messages", key, ping(k));
      longest = Math.max(longest, System.nanoTime() - start);
      if (r.statusCode() != 200) {
        failed.add(k + ": " + r.statusCode() + " " + r.body());
      }
    }
    long answeredAllMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    JsonObject view = new JsonObject(first.get("/v1/mesh/nodes"));
    JsonObject dead = view.getJsonArray("nodes").stream().map(JsonObject.class::cast)
      .filter(n -> secondId.equals(n.getString("nodeId"))).findFirst().orElse(null);
    System.out.printf("[measure] kill -9 with the cluster's detector slowed: %d requests for its keys answered in %d ms "
      + "(longest %d ms); cluster of %d then%n", keys.size(), answeredAllMs, TimeUnit.NANOSECONDS.toMillis(longest),
      view.getInteger("clusterSize"));
    assertThat(failed).isEmpty();
    assertThat(TimeUnit.NANOSECONDS.toMillis(longest)).as("longest request after the kill, ms").isLessThan(1_500);
    assertThat(view.getInteger("clusterSize")).as("the cluster still holds the killed node").isEqualTo(2);
    assertThat(dead).as("the killed node in the first's view").isNotNull();
    assertThat(dead.getBoolean("unreachable")).isTrue();
    assertThat(Files.readString(first.stdout)).contains("refuses connections to its event bus");
    awaitNodes(first, 1, Duration.ofSeconds(15));
  }

  private static String ping(String key) {
    return new JsonObject().put("service", "netflow.ping").put("priority", "CRITICAL").put("key", key)
      .put("timeoutMs", 10_000).put("payload", "tick").encode();
  }

  @Test
  void sigtermDrainsThenLeavesWithin10s() throws Exception {
    List<NodeProcess> two = startTwo();
    NodeProcess first = two.get(0);
    NodeProcess second = two.get(1);
    awaitNodes(first, 2, Duration.ofSeconds(5));

    long termAt = System.nanoTime();
    second.process.destroy();
    boolean sawDraining = false;
    while (nodes(first).size() == 2) {
      sawDraining |= nodes(first).stream().map(JsonObject.class::cast).anyMatch(n -> "DRAINING".equals(n.getString("state")));
      assertThat(System.nanoTime() - termAt).isLessThan(TimeUnit.SECONDS.toNanos(10));
      Thread.sleep(20);
    }
    assertThat(sawDraining).as("peer saw DRAINING before the node left").isTrue();
    assertThat(second.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    System.out.printf("[measure] SIGTERM to exit: %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - termAt));
    assertThat(Files.readString(second.stdout)).contains("Draining: peers will route around this node", "left the mesh");
  }

  @Test
  void badConfigurationStopsWithOneLineAndExitCode2() throws Exception {
    Path unknownKey = Files.writeString(dataDir.resolve("bad.yaml"), "http:\n  prot: 80\n");
    Map<List<String>, String> cases = Map.of(
      List.of("--http-port", "70000"), "netflow: invalid value '70000' for http.port (from --http-port): must be an integer in [0, 65535]",
      List.of("--role", "server"), "netflow: invalid value 'server' for node.role (from --role): must be one of cloud, edge",
      List.of("--config", "/nonexistent/node.yaml"), "netflow: cannot read config file '/nonexistent/node.yaml': no such file",
      List.of("--config", unknownKey.toString()), "netflow: unknown key 'http.prot' in " + unknownKey + "; known keys are listed by --help");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      NodeProcess p = start("bad", c.getKey(), Map.of());
      assertThat(p.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.process.exitValue()).as(c.getKey().toString()).isEqualTo(2);
      assertThat(Files.readString(p.stderr).strip()).isEqualTo(c.getValue());
      assertThat(Files.readString(p.stdout)).doesNotContain("Exception");
    }
  }

  private static void awaitNodes(NodeProcess p, int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (nodes(p).size() != count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(p.name + " did not show " + count + " nodes within " + timeout + ": " + nodes(p));
      }
      Thread.sleep(20);
    }
  }

  /** A base port with room above it for the nodes that step up from it. */
  private static int freeRange() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return Math.min(s.getLocalPort(), 60_000);
    }
  }
}
