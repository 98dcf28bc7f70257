package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.mesh.impl.LinkShards;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A sending node's routed rate with its data plane on one event loop ({@code mesh.shards: 1}, the
 * baseline) and on three (routing and links spread), and where the CPU goes per request: the
 * sender's first loop, its other loops, the servers' first loops (their inboxes: admission stays on
 * one loop per node) and the whole JVM. Two sending nodes in one mesh of three servers, each sending
 * to a service all three host, 256 requests in flight, in alternating phases. From the per-role
 * figures the README projects what one node reaches on more cores.
 */
class ShardBench {

  private static final int IN_FLIGHT = 256;
  private static final int SHARDS = Integer.getInteger("bench.shards", 3);
  private static final long SECONDS = Long.getLong("bench.seconds", 4);

  @Test
  void aSendingNodesCpuPerRequestByRole() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode single = mesh.start("one-loop", cfg -> cfg.set(NodeKeys.SHARDS, 1));
      NetflowNode sharded = mesh.start("sharded", cfg -> cfg.set(NodeKeys.SHARDS, SHARDS));
      Buffer payload = Buffer.buffer(new byte[200]);
      List<NetflowNode> servers = new ArrayList<>();
      for (String name : List.of("s1", "s2", "s3")) {
        NetflowNode server = mesh.start(name);
        join(server.mesh().host("echo", e -> Future.succeededFuture(e.payload())));
        servers.add(server);
      }
      mesh.awaitHosts("echo", 3);
      // Warm both paths up (the JIT), then alternate which goes first, so neither gains by its place.
      for (int i = 0; i < 3; i++) {
        measure(single, servers, payload, 1);
        measure(sharded, servers, payload, 1);
      }
      List<Double> ratios = new ArrayList<>();
      JsonObject runs = new JsonObject();
      for (int run = 1; run <= Bench.RUNS; run++) {
        boolean singleFirst = run % 2 == 1;
        Measured first = measure(singleFirst ? single : sharded, servers, payload, SECONDS);
        Measured second = measure(singleFirst ? sharded : single, servers, payload, SECONDS);
        Measured one = singleFirst ? first : second;
        Measured many = singleFirst ? second : first;
        ratios.add(many.rate / one.rate);
        runs.put("run" + run, new JsonObject().put("oneLoop", one.toJson()).put("sharded", many.toJson())
          .put("ratio", many.rate / one.rate));
        System.out.printf("run %d: one loop %s%n       %d shards %s; ratio %.3f%n", run, one, SHARDS, many, many.rate / one.rate);
      }
      Bench.save("shards", new JsonObject()
        .put("what", "routed request/reply from one node to a service on 3 others, " + IN_FLIGHT + " in flight, 200 B:"
          + " the data plane on " + SHARDS + " event loops against 1; CPU per request by role")
        .put("shards", SHARDS).put("medianRatio", Bench.median(ratios)).put("runs", runs));
    }
  }

  /**
   * A phase: the rate; CPU per request of the sender's first loop and of its other loops; of the
   * servers' first loops (their inboxes), per request served; and of the whole JVM.
   */
  private record Measured(double rate, double firstMicros, double firstShare, double otherMicros, double servingMicros,
                          double jvmMicros, long failed) {
    JsonObject toJson() {
      return new JsonObject().put("perSecond", rate).put("firstLoopMicrosPerRequest", firstMicros)
        .put("firstLoopCoreShare", firstShare).put("otherLoopsMicrosPerRequest", otherMicros)
        .put("servingFirstLoopMicrosPerRequest", servingMicros).put("jvmMicrosPerRequest", jvmMicros).put("failed", failed);
    }

    @Override
    public String toString() {
      return String.format("%.0f req/s; sender's first loop %.2f us/req (%.2f of a core), its other loops %.2f us/req;"
        + " servers' first loops %.2f us per request served; whole JVM %.2f us/req", rate, firstMicros, firstShare,
        otherMicros, servingMicros, jvmMicros);
    }
  }

  private static Measured measure(NetflowNode client, List<NetflowNode> servers, Buffer payload, long seconds)
    throws Exception {
    LinkShards links = client.links();
    Loop loop = new Loop(client.vertx(), IN_FLIGHT,
      () -> client.mesh().request(Envelope.toService("echo").payload(payload).build())).start();
    Thread.sleep(300);
    long first = threadOf(links, 0);
    List<Long> others = new ArrayList<>();
    for (int i = 1; i < links.count(); i++) {
      others.add(threadOf(links, i));
    }
    List<Long> serving = new ArrayList<>();
    for (NetflowNode server : servers) {
      serving.add(threadOf(server.links(), 0));
    }
    long before = loop.completed.get();
    ThreadCpu cpuBefore = ThreadCpu.now();
    Thread.sleep(seconds * 1000);
    ThreadCpu cpuAfter = ThreadCpu.now();
    long done = Math.max(1, loop.completed.get() - before);
    join(loop.stop());
    double wall = (cpuAfter.wallNanos() - cpuBefore.wallNanos());
    double firstNanos = cpuAfter.threadNanosSince(cpuBefore, first);
    double otherNanos = others.stream().filter(t -> t != first).mapToDouble(t -> cpuAfter.threadNanosSince(cpuBefore, t)).sum();
    double servingNanos = serving.stream().mapToDouble(t -> cpuAfter.threadNanosSince(cpuBefore, t)).sum();
    return new Measured(done / (wall / 1e9), firstNanos / 1_000 / done, firstNanos / wall, otherNanos / 1_000 / done,
      servingNanos / 1_000 / done, cpuAfter.since(cpuBefore, done)[1], loop.failed.get());
  }

  private static long threadOf(LinkShards links, int shard) throws Exception {
    CompletableFuture<Long> id = new CompletableFuture<>();
    links.loop(shard).runOnContext(v -> id.complete(Thread.currentThread().getId()));
    return id.get(5, TimeUnit.SECONDS);
  }
}
