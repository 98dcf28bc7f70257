package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import io.netflow.scheduling.WorkHandler;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.HdrHistogram.Histogram;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backlog of BULK work (CPU-heavy batches, deadlines 10-30 s out) beside steady CRITICAL
 * gameplay on the same two nodes: CRITICAL p99 against idle, and the share of batches done by
 * their deadline. Baseline in the same run: the same batches run at once, first come first served,
 * on the nodes' worker pools (what a node without a scheduler does). Gameplay runs open loop at
 * 400 requests per second throughout, so the mesh is busy and BULK runs only as deadlines near.
 */
class SchedulingBench {

  private static final int BATCHES = Integer.getInteger("bench.batches", 200);
  private static final long BATCH_CPU_MS = Long.getLong("bench.batch-cpu-ms", 20);
  private static final long IDLE_MS = 20_000;
  private static final java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();

  private static final UnaryOperator<NodeConfig> CONFIG = cfg -> cfg.set(NodeKeys.WORK_CONCURRENCY, 4)
    .set(NodeKeys.WORK_BULK_URGENCY, 8_000L).set(NodeKeys.WORK_LATENCY_TARGET, 2_000L);

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void bulkBacklogBesideCriticalTraffic() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode game = mesh.start("game", CONFIG);
      NetflowNode worker = mesh.start("worker", CONFIG);
      join(worker.mesh().host("match", e -> Future.succeededFuture(Buffer.buffer("ok"))));
      mesh.awaitHosts("match", 1);
      for (NetflowNode n : List.of(game, worker)) {
        n.scheduler().handle("batch", batch(n));
      }
      Supplier<Future<?>> critical = () -> game.mesh().request(
        Envelope.toService("match").priority(Priority.CRITICAL).payload("move").build());

      // Gameplay: an open-loop stream of CRITICAL requests (400/s) through every phase, as players
      // keep playing whatever the latency; the probes measure on top of it.
      long gameplay = game.vertx().setPeriodic(5, id -> {
        critical.get();
        critical.get();
      });
      JsonObject runs = new JsonObject();
      List<Double> ours = new ArrayList<>();
      List<Double> naive = new ArrayList<>();
      List<Double> oursOnTime = new ArrayList<>();
      List<Double> naiveOnTime = new ArrayList<>();
      for (int run = 1; run <= Bench.RUNS; run++) {
        Bench.probe(game.vertx(), critical, 300, null);
        // Idle (gameplay only) for as long as the backlog takes, so both see the same share of hiccups.
        AtomicBoolean idling = new AtomicBoolean(true);
        game.vertx().setTimer(IDLE_MS, id -> idling.set(false));
        Histogram idle = Bench.probe(game.vertx(), critical, Integer.MAX_VALUE, idling);

        // Scheduled: the backlog goes to the mesh's scheduler, half through each node.
        List<String> ids = new ArrayList<>();
        long start = System.currentTimeMillis();
        for (int i = 0; i < BATCHES; i++) {
          String id = "batch-" + run + "-" + i + "-" + UUID.randomUUID();
          ids.add(id);
          NetflowNode via = i % 2 == 0 ? game : worker;
          join(via.scheduler().submit(new JsonObject().put("id", id).put("kind", "batch").put("class", "BULK")
            .put("deadlineInMs", 10_000 + (long) i * 20_000 / BATCHES), "bench"));
        }
        // Watched through the handlers, not by polling the store, which would load the nodes itself.
        AtomicBoolean backlog = new AtomicBoolean(true);
        int target = ran.get() + BATCHES;
        Thread watcher = new Thread(() -> {
          long giveUp = System.currentTimeMillis() + 90_000;
          while (ran.get() < target && System.currentTimeMillis() < giveUp) {
            sleep(50);
          }
          backlog.set(false);
        });
        watcher.start();
        Histogram scheduled = Bench.probe(game.vertx(), critical, Integer.MAX_VALUE, backlog);
        watcher.join();
        awaitDone(game, ids);
        double onTime = onTime(game, ids);
        long scheduledMs = System.currentTimeMillis() - start;

        // Naive: every batch starts at once on the worker pools, first come first served.
        AtomicBoolean naiveRunning = new AtomicBoolean(true);
        long naiveStart = System.currentTimeMillis();
        List<Future<Long>> done = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
          NetflowNode via = i % 2 == 0 ? game : worker;
          long deadline = naiveStart + 10_000 + (long) i * 20_000 / BATCHES;
          done.add(via.vertx().executeBlocking(() -> {
            spin(BATCH_CPU_MS);
            return System.currentTimeMillis() <= deadline ? 1L : 0L;
          }, false));
        }
        Future.all(done).onComplete(ar -> naiveRunning.set(false));
        Histogram fifo = Bench.probe(game.vertx(), critical, Integer.MAX_VALUE, naiveRunning);
        double naiveShare = done.stream().mapToLong(f -> f.result()).sum() / (double) BATCHES;

        ours.add(Bench.ms(scheduled, 99) / Bench.ms(idle, 99));
        naive.add(Bench.ms(fifo, 99) / Bench.ms(idle, 99));
        oursOnTime.add(onTime);
        naiveOnTime.add(naiveShare);
        runs.put("run" + run, new JsonObject().put("idle", Bench.latency(idle))
          .put("scheduled", Bench.latency(scheduled).put("bulkOnTime", onTime).put("backlogMs", scheduledMs))
          .put("naiveFifo", Bench.latency(fifo).put("bulkOnTime", naiveShare)));
      }
      game.vertx().cancelTimer(gameplay);
      Bench.save("scheduling", new JsonObject()
        .put("what", "CRITICAL p99 while a backlog of " + BATCHES + " BULK batches (" + BATCH_CPU_MS
          + " ms CPU each, deadlines 10-30 s) is worked off / CRITICAL p99 idle (target <= 1.5), and the share of"
          + " batches done by their deadline")
        .put("medianRatioScheduled", Bench.median(ours))
        .put("medianRatioNaiveFifo", Bench.median(naive))
        .put("medianBulkOnTimeScheduled", Bench.median(oursOnTime))
        .put("medianBulkOnTimeNaiveFifo", Bench.median(naiveOnTime))
        .put("runs", runs));
    }
  }

  /** A batch: CPU work on a worker thread, as a training or aggregation step would be. */
  private static WorkHandler batch(NetflowNode node) {
    return work -> node.vertx().executeBlocking(() -> {
      spin(BATCH_CPU_MS);
      ran.incrementAndGet();
      return (Object) "done";
    }, false);
  }

  private static void spin(long ms) {
    long end = System.nanoTime() + ms * 1_000_000;
    long x = 0;
    while (System.nanoTime() < end) {
      x += Long.numberOfTrailingZeros(x + 1);
    }
    if (x == 42) {
      System.out.print("");
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitDone(NetflowNode node, List<String> ids) {
    try {
      long giveUp = System.currentTimeMillis() + 90_000;
      List<String> pending = new ArrayList<>(ids);
      while (!pending.isEmpty() && System.currentTimeMillis() < giveUp) {
        Thread.sleep(500);
        pending.removeIf(id -> {
          try {
            String state = join(node.scheduler().status(id)).getString("state");
            return !state.equals("QUEUED") && !state.equals("RUNNING");
          } catch (Exception e) {
            return false;
          }
        });
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static double onTime(NetflowNode node, List<String> ids) throws Exception {
    int ok = 0;
    for (String id : ids) {
      JsonObject s = join(node.scheduler().status(id));
      if (s.getString("state").equals("SUCCEEDED") && !s.getBoolean("late")) {
        ok++;
      }
    }
    return ok / (double) ids.size();
  }
}
