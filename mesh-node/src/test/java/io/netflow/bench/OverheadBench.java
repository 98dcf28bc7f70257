package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Throughput of routed request/reply (service addressing, lanes, admission) against raw clustered
 * event-bus request/reply between the same two nodes, with the same number of requests in flight.
 */
class OverheadBench {

  private static final int IN_FLIGHT = 256;
  private static final long SECONDS = Long.getLong("bench.seconds", 4);

  @Test
  void routedAgainstRawRequestReply() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode client = mesh.start("client");
      NetflowNode server = mesh.start("server");
      Buffer payload = Buffer.buffer(new byte[200]);
      join(server.mesh().host("echo", e -> Future.succeededFuture(e.payload())));
      join(server.vertx().eventBus().<Buffer>consumer("bench.raw.echo", m -> m.reply(m.body())).completion());
      mesh.awaitHosts("echo", 1);
      Supplier<Future<?>> routed = () -> client.mesh().request(Envelope.toService("echo").payload(payload).build());
      Supplier<Future<?>> raw = () -> client.vertx().eventBus().request("bench.raw.echo", payload);
      measure(raw, client, 1);
      measure(routed, client, 1);
      List<Double> ratios = new ArrayList<>();
      List<Double> routedRates = new ArrayList<>();
      List<Double> rawRates = new ArrayList<>();
      JsonObject runs = new JsonObject();
      for (int run = 1; run <= Bench.RUNS; run++) {
        Measured r = measure(raw, client, SECONDS);
        Measured o = measure(routed, client, SECONDS);
        ratios.add(o.rate / r.rate);
        routedRates.add(o.rate);
        rawRates.add(r.rate);
        runs.put("run" + run, new JsonObject().put("routedPerSecond", o.rate).put("rawPerSecond", r.rate)
          .put("ratio", o.rate / r.rate).put("routed", o.toJson()).put("raw", r.toJson()));
        System.out.printf("run %d: routed %.0f req/s, raw %.0f req/s, ratio %.3f; busiest thread routed %s at %.2f of a core"
          + " (%.2f us/req), raw %s at %.2f (%.2f us/req); whole JVM %.2f vs %.2f us/req%n", run, o.rate, r.rate,
          o.rate / r.rate, o.busiest, o.busiestShare, o.busiestMicros, r.busiest, r.busiestShare, r.busiestMicros,
          o.jvmMicros, r.jvmMicros);
      }
      Bench.save("overhead", new JsonObject()
        .put("what", "routed request/reply throughput / raw clustered request/reply, " + IN_FLIGHT
          + " in flight, 200-byte payload (target >= 0.8)")
        .put("medianRatio", Bench.median(ratios))
        .put("medianRoutedPerSecond", Bench.median(routedRates))
        .put("medianRawPerSecond", Bench.median(rawRates))
        .put("runs", runs));
    }
  }

  /** A phase's rate, and what its busiest thread and the whole JVM spent per request. */
  private record Measured(double rate, String busiest, double busiestShare, double busiestMicros, double jvmMicros) {
    JsonObject toJson() {
      return new JsonObject().put("busiestThread", busiest).put("busiestThreadCoreShare", busiestShare)
        .put("busiestThreadMicrosPerRequest", busiestMicros).put("jvmMicrosPerRequest", jvmMicros);
    }
  }

  private static Measured measure(Supplier<Future<?>> call, NetflowNode client, long seconds) throws Exception {
    Loop loop = new Loop(client.vertx(), IN_FLIGHT, call).start();
    Thread.sleep(300);
    long before = loop.completed.get();
    ThreadCpu cpuBefore = ThreadCpu.now();
    Thread.sleep(seconds * 1000);
    ThreadCpu cpuAfter = ThreadCpu.now();
    long done = loop.completed.get() - before;
    double rate = done / ((cpuAfter.wallNanos() - cpuBefore.wallNanos()) / 1e9);
    join(loop.stop());
    double[] micros = cpuAfter.since(cpuBefore, Math.max(1, done));
    var busiest = cpuAfter.busiestShare(cpuBefore);
    return new Measured(rate, busiest.getKey(), busiest.getValue(), micros[0], micros[1]);
  }
}
