package io.netflow.bench;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.mesh.Mesh;
import io.netflow.models.ModelFixture;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the mesh grows with 1, 2, 4 and 8 nodes (in one JVM, on this machine's two cores): how long
 * the last node takes from its start to be seen by every node, what a routed request costs (keyed
 * requests to the built-in ping service, which every node hosts: a routing decision over all of
 * them, most answered by another node), and
 * how long an 8 MiB model takes to reach every node at 16 MiB/s per node. Baseline beside it: the
 * 1-node mesh, and for the rollout the floor size / bandwidth.
 */
class ScaleBench {

  private static final int[] SIZES = {1, 2, 4, 8};
  private static final int MODEL_BYTES = 8 << 20;
  private static final long BUDGET = 16L << 20;

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void growth() throws Exception {
    JsonArray rows = new JsonArray();
    for (int n : SIZES) {
      Path models = Files.createTempDirectory("scale-models");
      ModelFixture fixture = new ModelFixture(models);
      try (TestMesh mesh = new TestMesh()) {
        NetflowNode first = null;
        long convergeMs = 0;
        for (int i = 0; i < n; i++) {
          long start = System.nanoTime();
          NetflowNode node = mesh.start("s" + i, fixture.trusting(cfg -> cfg.set(NodeKeys.NODE_UPLOAD, BUDGET)
            .set(NodeKeys.NODE_DOWNLOAD, BUDGET)));
          first = first == null ? node : first;
          if (i == n - 1) {
            for (NetflowNode each : mesh.nodes()) {
              TestMesh.await(Duration.ofSeconds(30), each.name() + " sees " + n, () -> each.view().size() == n);
            }
            convergeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          }
        }
        mesh.awaitHosts(Mesh.PING, n);
        NetflowNode sender = first;
        // A random key per request: rendezvous hashing over every node, so most requests leave the sender.
        java.util.function.Supplier<io.vertx.core.Future<?>> keyed = () -> sender.mesh().request(
          Envelope.toService(Mesh.PING).priority(Priority.CRITICAL)
            .key("k" + java.util.concurrent.ThreadLocalRandom.current().nextInt(100_000)).payload("x").build());
        Bench.probe(sender.vertx(), keyed, 500, null);
        Histogram routed = Bench.probe(sender.vertx(), keyed, 2_000, null);
        double rolloutS = 0;
        if (n > 1) {
          long start = System.nanoTime();
          fixture.publish(first, "scale", "v" + n, fixture.model("scale-" + n, MODEL_BYTES, n));
          NetflowNode origin = first;
          TestMesh.await(Duration.ofSeconds(120), "rollout to " + n, () -> active(origin, "scale/v" + n) == n);
          rolloutS = (System.nanoTime() - start) / 1e9;
        }
        JsonObject row = new JsonObject().put("nodes", n).put("lastNodeStartToSeenByAllMs", convergeMs)
          .put("routedPingP50Ms", Bench.ms(routed, 50)).put("routedPingP99Ms", Bench.ms(routed, 99))
          .put("rolloutSeconds", Math.round(rolloutS * 100) / 100.0)
          .put("rolloutFloorSeconds", Math.round(MODEL_BYTES / (double) BUDGET * 100) / 100.0);
        System.out.println("[scale] " + row.encode());
        rows.add(row);
      }
    }
    Bench.save("scale", new JsonObject().put("what", "growth with 1, 2, 4, 8 in-process nodes: last node seen by all,"
      + " routed CRITICAL request to a service on every node, 8 MiB rollout at 16 MiB/s per node").put("rows", rows));
  }

  /** Nodes on which the version is active, as the rollout API reports them. */
  private static long active(NetflowNode node, String version) {
    try {
      JsonArray nodes = new JsonObject(TestMesh.get(node, "/v1/models/" + version + "/rollout").body()).getJsonArray("nodes");
      return nodes.stream().map(JsonObject.class::cast).filter(h -> "ACTIVE".equals(h.getString("state"))).count();
    } catch (Exception e) {
      return -1;
    }
  }
}
