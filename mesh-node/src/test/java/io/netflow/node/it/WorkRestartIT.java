package io.netflow.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A power cut: every node of the mesh is killed (-9) at once with a thousand work items queued and
 * running, then started again on its own disk. Every item is found again and ends in one end state;
 * an item that had SUCCEEDED before the cut is not run again.
 */
class WorkRestartIT {

  private static final String KEY = "ops-secret";
  private static final int ITEMS = 1_000;
  /** Of which the last ones can run before the cut; the first are held for a region the nodes join after it. */
  private static final int RUNNABLE = 300;
  private static final int HELD = ITEMS - RUNNABLE;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

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

  @Test
  void everyItemComesBackAfterEveryNodeIsKilledAndEndsOnce() throws Exception {
    int clusterPort = freePort();
    List<NodeProcess> before = startMesh(clusterPort, "local", 2);
    String url = before.get(0).httpUrl().orElseThrow();

    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<HttpResponse<String>>> submitted = new ArrayList<>();
    for (int i = 0; i < ITEMS; i++) {
      JsonObject item = new JsonObject().put("id", id(i)).put("kind", "deliver").put("service", "netflow.ping")
        .put("payload", new JsonObject().put("i", i));
      if (i < HELD) {
        item.put("constraints", new JsonObject().put("region", "after-the-cut"));
      }
      inFlight.acquire();
      submitted.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/work")).header("Authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofString(item.encode())).build(), HttpResponse.BodyHandlers.ofString())
        .whenComplete((r, err) -> inFlight.release()));
    }
    for (CompletableFuture<HttpResponse<String>> f : submitted) {
      assertThat(f.get().statusCode()).as(f.get().body()).isEqualTo(201);
    }
    // Cut the power once some runnable items are done while others still wait or run.
    Map<String, JsonObject> done = new HashMap<>();
    Map<String, Integer> atTheCut = new java.util.TreeMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (done.size() < 20 && System.nanoTime() < deadline) {
      for (int i = HELD; i < ITEMS; i += 10) {
        JsonObject s = status(url, id(i));
        if ("SUCCEEDED".equals(s.getString("state"))) {
          done.put(id(i), s);
        }
      }
    }
    for (int i = HELD; i < ITEMS; i++) {
      JsonObject s = status(url, id(i));
      atTheCut.merge(s.getString("state"), 1, Integer::sum);
      if ("SUCCEEDED".equals(s.getString("state"))) {
        done.put(id(i), s);
      }
    }
    assertThat(done).as("items done before the cut").hasSizeGreaterThanOrEqualTo(20);
    for (NodeProcess p : before) {
      p.process.destroyForcibly();
    }
    for (NodeProcess p : before) {
      p.process.waitFor();
    }
    System.out.printf("[measure] killed every node with %d items held and the %d runnable ones %s%n", HELD, RUNNABLE,
      atTheCut);

    // The same nodes on the same disks, now in the region the held items wait for.
    List<NodeProcess> after = startMesh(clusterPort, "after-the-cut", 16);
    String again = after.get(2).httpUrl().orElseThrow();
    Map<String, JsonObject> finalStates = new HashMap<>();
    deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (finalStates.size() < ITEMS && System.nanoTime() < deadline) {
      for (int i = 0; i < ITEMS; i++) {
        if (!finalStates.containsKey(id(i))) {
          JsonObject s = status(again, id(i));
          if ("SUCCEEDED".equals(s.getString("state")) || "FAILED".equals(s.getString("state"))) {
            finalStates.put(id(i), s);
          }
        }
      }
    }
    assertThat(finalStates).as("items found and ended after the restart").hasSize(ITEMS);
    assertThat(finalStates.values()).allSatisfy(s -> assertThat(s.getString("state")).isEqualTo("SUCCEEDED"));
    done.forEach((id, s) -> {
      JsonObject now = finalStates.get(id);
      assertThat(now.getLong("finishedAt")).as(id + " not run again").isEqualTo(s.getLong("finishedAt"));
      assertThat(now.getInteger("attempt")).as(id + " not run again").isEqualTo(s.getInteger("attempt"));
    });
  }

  private List<NodeProcess> startMesh(int clusterPort, String region, int concurrency) throws Exception {
    List<NodeProcess> nodes = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      Map<String, String> env = Map.of("NETFLOW_CLUSTER_NAME", cluster, "NETFLOW_SHUTDOWN_DRAIN_MS", "200",
        "NETFLOW_NODE_REGION", region, "NETFLOW_SCHEDULING_MAX_CONCURRENCY", String.valueOf(concurrency),
        "NETFLOW_GATEWAY_API_KEYS", ApiKeys.entry("ops", KEY, "admin"),
        "NETFLOW_GATEWAY_RATE_PER_SECOND", "100000", "NETFLOW_GATEWAY_RATE_BURST", "100000");
      NodeProcess p = NodeProcess.start(name + "-" + started.size(), List.of("--name", name, "--cluster-port",
        String.valueOf(clusterPort), "--http-port", "0", "--data-dir", dataDir.toString()), env);
      started.add(p);
      p.awaitReady(Duration.ofSeconds(60));
      nodes.add(p);
    }
    return nodes;
  }

  private static JsonObject status(String url, String id) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/work/" + id))
      .header("Authorization", "Bearer " + KEY).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? new JsonObject(r.body()) : new JsonObject().put("state", "HTTP " + r.statusCode());
  }

  private static String id(int i) {
    return "item-" + i;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return Math.min(s.getLocalPort(), 60_000);
    }
  }
}
