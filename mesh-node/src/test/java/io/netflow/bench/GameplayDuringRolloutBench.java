package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.models.ModelAddresses;
import io.netflow.models.ModelFixture;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CRITICAL request latency between two nodes while a model version (128 MiB) rolls out over the
 * same link, against the same link idle. Baseline: the same probes while the same bytes are
 * pushed over the plain event bus as fast as it takes them (no lanes, no AIMD).
 */
class GameplayDuringRolloutBench {

  private static final int SIZE = Integer.getInteger("bench.model.mib", 128) << 20;

  @TempDir
  Path dir;

  @Test
  void criticalLatencyDuringARollout() throws Exception {
    ModelFixture fx = new ModelFixture(dir);
    Path model = fx.model("model.bin", SIZE, 21);
    byte[] bytes = Files.readAllBytes(model);
    List<Double> ours = new ArrayList<>();
    List<Double> naive = new ArrayList<>();
    JsonObject runs = new JsonObject();
    for (int run = 1; run <= Bench.RUNS; run++) {
      try (TestMesh mesh = new TestMesh()) {
        NetflowNode origin = mesh.start("origin", fx.trusting());
        NetflowNode player = mesh.start("player", fx.trusting());
        Buffer ok = Buffer.buffer("ok");
        join(origin.mesh().host("control", e -> Future.succeededFuture(ok)));
        join(origin.vertx().eventBus().<Buffer>consumer("bench.naive.chunk", m -> m.reply(ok)).completion());
        mesh.awaitHosts("control", 1);
        Supplier<Future<?>> critical = () -> player.mesh().request(
          Envelope.toService("control").priority(Priority.CRITICAL).payload("jump").build());
        probe(player, critical, 300, null);
        Histogram idle = probe(player, critical, 1_500, null);

        AtomicBoolean rolling = new AtomicBoolean(true);
        join(player.vertx().eventBus().localConsumer(ModelAddresses.MODEL_ACTIVATED, m -> rolling.set(false)).completion());
        var r = fx.publish(origin, "policy", "v" + run, model);
        if (r.statusCode() != 201) {
          throw new AssertionError(r.body());
        }
        Histogram during = probe(player, critical, 100_000, rolling);

        // Baseline: the player pulls the same bytes over the plain bus, 16 chunks in flight.
        AtomicBoolean pushing = new AtomicBoolean(true);
        Loop naiveLoad = new Loop(player.vertx(), 16, () -> player.vertx().eventBus().request("bench.naive.chunk",
          Buffer.buffer().appendBytes(bytes, 0, 64 * 1024)));
        naiveLoad.start();
        long stopAt = System.nanoTime() + 3_000_000_000L;
        player.vertx().setTimer(3_000, t -> pushing.set(false));
        Histogram plain = probe(player, critical, 100_000, pushing);
        join(naiveLoad.stop());
        double oursRatio = Bench.ms(during, 99) / Bench.ms(idle, 99);
        double naiveRatio = Bench.ms(plain, 99) / Bench.ms(idle, 99);
        ours.add(oursRatio);
        naive.add(naiveRatio);
        runs.put("run" + run, new JsonObject().put("idle", Bench.latency(idle))
          .put("duringRollout", Bench.latency(during)).put("duringPlainTransfer", Bench.latency(plain))
          .put("ratioNetflow", oursRatio).put("ratioPlain", naiveRatio).put("plainStoppedLateMs",
            Math.max(0, (System.nanoTime() - stopAt) / 1_000_000)));
      }
    }
    Bench.save("gameplay-during-rollout", new JsonObject()
      .put("what", "CRITICAL p99 on a link carrying a " + (SIZE >> 20) + " MiB rollout / idle p99 (target <= 1.5); "
        + "baseline: the same bytes over the plain event bus")
      .put("medianRatioNetflow", Bench.median(ours))
      .put("medianRatioPlainTransfer", Bench.median(naive))
      .put("runs", runs));
  }

  private static Histogram probe(NetflowNode from, Supplier<Future<?>> call, int count, AtomicBoolean whileTrue)
    throws Exception {
    return Bench.probe(from.vertx(), call, count, whileTrue);
  }
}
