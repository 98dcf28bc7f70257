package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * CRITICAL latency between two nodes, idle and then beside saturating BULK traffic on the same
 * link: through NetFlow's lanes, and through plain event-bus request/reply (one FIFO connection).
 */
class PriorityIsolationBench {

  private static final int PROBES = Integer.getInteger("bench.probes", 1_500);
  private static final int BULK_OUTSTANDING = 32;
  private static final int BULK_BYTES = 64 * 1024;

  @Test
  void criticalLatencyBesideBulk() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      // -Dbench.window=BYTES tries another link window (the default is the node default).
      Integer window = Integer.getInteger("bench.window");
      NetflowNode sender = mesh.start("sender", cfg -> window == null ? cfg : cfg.set(NodeKeys.LINK_WINDOW, window));
      NetflowNode receiver = mesh.start("receiver");
      Buffer ok = Buffer.buffer("ok");
      join(receiver.mesh().host("control", e -> Future.succeededFuture(ok)));
      join(receiver.mesh().host("ingest", e -> Future.succeededFuture(ok)));
      join(receiver.vertx().eventBus().consumer("bench.plain.control", m -> m.reply(ok)).completion());
      join(receiver.vertx().eventBus().consumer("bench.plain.ingest", m -> m.reply(ok)).completion());
      mesh.awaitHosts("control", 1);
      mesh.awaitHosts("ingest", 1);
      Buffer bulk = Buffer.buffer(new byte[BULK_BYTES]);

      Supplier<Future<?>> oursCritical = () -> sender.mesh().request(
        Envelope.toService("control").priority(Priority.CRITICAL).payload("jump").build());
      Supplier<Future<?>> oursBulk = () -> sender.mesh().request(
        Envelope.toService("ingest").priority(Priority.BULK).payload(bulk).build());
      Supplier<Future<?>> plainCritical = () -> sender.vertx().eventBus().request("bench.plain.control", Buffer.buffer("jump"));
      Supplier<Future<?>> plainBulk = () -> sender.vertx().eventBus().request("bench.plain.ingest", bulk);

      JsonObject runs = new JsonObject();
      List<Double> oursRatio = new ArrayList<>();
      List<Double> plainRatio = new ArrayList<>();
      List<Double> oursLoadedP99 = new ArrayList<>();
      List<Double> plainLoadedP99 = new ArrayList<>();
      List<Double> oursIdleP99 = new ArrayList<>();
      List<Double> plainIdleP99 = new ArrayList<>();
      for (int run = 1; run <= Bench.RUNS; run++) {
        probe(sender, oursCritical, 200);
        Histogram oursIdle = probe(sender, oursCritical, PROBES);
        Measured oursLoaded = underLoad(sender, oursCritical, oursBulk);
        Histogram plainIdle = probe(sender, plainCritical, PROBES);
        Measured plainLoaded = underLoad(sender, plainCritical, plainBulk);
        oursRatio.add(Bench.ms(oursLoaded.critical, 99) / Bench.ms(oursIdle, 99));
        plainRatio.add(Bench.ms(plainLoaded.critical, 99) / Bench.ms(plainIdle, 99));
        oursLoadedP99.add(Bench.ms(oursLoaded.critical, 99));
        plainLoadedP99.add(Bench.ms(plainLoaded.critical, 99));
        oursIdleP99.add(Bench.ms(oursIdle, 99));
        plainIdleP99.add(Bench.ms(plainIdle, 99));
        runs.put("run" + run, new JsonObject()
          .put("netflow", new JsonObject().put("idle", Bench.latency(oursIdle)).put("withBulk", Bench.latency(oursLoaded.critical))
            .put("bulkMiBps", oursLoaded.bulkMiBps))
          .put("plainEventBus", new JsonObject().put("idle", Bench.latency(plainIdle))
            .put("withBulk", Bench.latency(plainLoaded.critical)).put("bulkMiBps", plainLoaded.bulkMiBps)));
      }
      Bench.save("priority-isolation", new JsonObject()
        .put("what", "CRITICAL p99 with saturating BULK on the same link / CRITICAL p99 idle (target <= 1.5)")
        .put("medianRatioNetflow", Bench.median(oursRatio))
        .put("medianRatioPlainEventBus", Bench.median(plainRatio))
        .put("medianIdleP99MsNetflow", Bench.median(oursIdleP99))
        .put("medianWithBulkP99MsNetflow", Bench.median(oursLoadedP99))
        .put("medianIdleP99MsPlainEventBus", Bench.median(plainIdleP99))
        .put("medianWithBulkP99MsPlainEventBus", Bench.median(plainLoadedP99))
        .put("runs", runs));
    }
  }

  private record Measured(Histogram critical, double bulkMiBps) {
  }

  private static Measured underLoad(NetflowNode sender, Supplier<Future<?>> critical, Supplier<Future<?>> bulk) throws Exception {
    Loop load = new Loop(sender.vertx(), BULK_OUTSTANDING, bulk).start();
    Thread.sleep(500);
    long before = load.completed.get();
    long start = System.nanoTime();
    Histogram h = probe(sender, critical, PROBES);
    double seconds = (System.nanoTime() - start) / 1e9;
    double mibps = (load.completed.get() - before) * (double) BULK_BYTES / (1 << 20) / seconds;
    join(load.stop());
    return new Measured(h, mibps);
  }

  /** Sends {@code count} critical requests one after another, 1 ms apart, and records their latency. */
  private static Histogram probe(NetflowNode sender, Supplier<Future<?>> call, int count) throws Exception {
    return Bench.probe(sender.vertx(), call, count, null);
  }
}
