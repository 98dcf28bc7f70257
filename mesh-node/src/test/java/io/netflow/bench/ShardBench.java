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
 * Where a sending node's CPU goes per routed request, by role, with its links on one event loop
 * ({@code mesh.shards: 1}, the baseline) and spread over three: the routing loop (routing,
 * admission, the hops), the link loops (lanes, DRR, the event-bus send and its answer), and the
 * whole JVM. Two sending nodes in one mesh of three servers, each sending to a service all three
 * host, 256 requests in flight, in alternating phases. From the per-role figures the README projects
 * what one node reaches on more cores: the routing loop is the part that does not spread.
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
      for (String name : List.of("s1", "s2", "s3")) {
        NetflowNode server = mesh.start(name);
        join(server.mesh().host("echo", e -> Future.succeededFuture(e.payload())));
      }
      mesh.awaitHosts("echo", 3);
      // Warm both paths up (the JIT), then alternate which goes first, so neither gains by its place.
      for (int i = 0; i < 3; i++) {
        measure(single, payload, 1);
        measure(sharded, payload, 1);
      }
      List<Double> ratios = new ArrayList<>();
      JsonObject runs = new JsonObject();
      for (int run = 1; run <= Bench.RUNS; run++) {
        boolean singleFirst = run % 2 == 1;
        Measured first = measure(singleFirst ? single : sharded, payload, SECONDS);
        Measured second = measure(singleFirst ? sharded : single, payload, SECONDS);
        Measured one = singleFirst ? first : second;
        Measured many = singleFirst ? second : first;
        ratios.add(many.rate / one.rate);
        runs.put("run" + run, new JsonObject().put("oneLoop", one.toJson()).put("sharded", many.toJson())
          .put("ratio", many.rate / one.rate));
        System.out.printf("run %d: one loop %s%n       %d shards %s; ratio %.3f%n", run, one, SHARDS, many, many.rate / one.rate);
      }
      Bench.save("shards", new JsonObject()
        .put("what", "routed request/reply from one node to a service on 3 others, " + IN_FLIGHT + " in flight, 200 B:"
          + " links on " + SHARDS + " event loops against 1; CPU per request by role (routing loop, link loops, JVM)")
        .put("shards", SHARDS).put("medianRatio", Bench.median(ratios)).put("runs", runs));
    }
  }

  /** A phase: the rate, and CPU per request of the routing loop, of the link loops past it, and of the JVM. */
  private record Measured(double rate, double routingMicros, double routingShare, double linkMicros, double jvmMicros,
                          long failed) {
    JsonObject toJson() {
      return new JsonObject().put("perSecond", rate).put("routingLoopMicrosPerRequest", routingMicros)
        .put("routingLoopCoreShare", routingShare).put("linkLoopsMicrosPerRequest", linkMicros)
        .put("jvmMicrosPerRequest", jvmMicros).put("failed", failed);
    }

    @Override
    public String toString() {
      return String.format("%.0f req/s; routing loop %.2f us/req (%.2f of a core), other link loops %.2f us/req,"
        + " whole JVM %.2f us/req", rate, routingMicros, routingShare, linkMicros, jvmMicros);
    }
  }

  private static Measured measure(NetflowNode client, Buffer payload, long seconds) throws Exception {
    LinkShards links = client.links();
    Loop loop = new Loop(client.vertx(), IN_FLIGHT,
      () -> client.mesh().request(Envelope.toService("echo").payload(payload).build())).start();
    Thread.sleep(300);
    long routing = threadOf(links, 0);
    List<Long> others = new ArrayList<>();
    for (int i = 1; i < links.count(); i++) {
      others.add(threadOf(links, i));
    }
    long before = loop.completed.get();
    ThreadCpu cpuBefore = ThreadCpu.now();
    Thread.sleep(seconds * 1000);
    ThreadCpu cpuAfter = ThreadCpu.now();
    long done = Math.max(1, loop.completed.get() - before);
    join(loop.stop());
    double wall = (cpuAfter.wallNanos() - cpuBefore.wallNanos());
    double routingNanos = cpuAfter.threadNanosSince(cpuBefore, routing);
    double otherNanos = others.stream().filter(t -> t != routing).mapToDouble(t -> cpuAfter.threadNanosSince(cpuBefore, t)).sum();
    return new Measured(done / (wall / 1e9), routingNanos / 1_000 / done, routingNanos / wall, otherNanos / 1_000 / done,
      cpuAfter.since(cpuBefore, done)[1], loop.failed.get());
  }

  private static long threadOf(LinkShards links, int shard) throws Exception {
    CompletableFuture<Long> id = new CompletableFuture<>();
    links.loop(shard).runOnContext(v -> id.complete(Thread.currentThread().getId()));
    return id.get(5, TimeUnit.SECONDS);
  }
}
