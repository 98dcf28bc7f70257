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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A backlog of BULK work (CPU-heavy batches, deadlines 12-40 s out) beside CRITICAL gameplay on
 * the same two nodes, gameplay as games have it: 6 s of play at 400 requests per second, then a
 * 3 s lull at 20 per second (between rounds), over and over, open loop. Every gameplay request's
 * latency is recorded. Reported: CRITICAL p99 with the backlog against the same gameplay without
 * it, and the share of batches done by their deadline. Baseline in the same run: the same batches
 * started at once, first come first served, on the nodes' worker pools (a node with no scheduler).
 */
class SchedulingBench {

  private static final int BATCHES = Integer.getInteger("bench.batches", 200);
  private static final long BATCH_CPU_MS = Long.getLong("bench.batch-cpu-ms", 20);
  private static final long PHASE_MS = 27_000;
  private static final long PLAY_MS = 6_000;
  private static final long LULL_MS = 3_000;
  private static final AtomicInteger ran = new AtomicInteger();

  private static final UnaryOperator<NodeConfig> CONFIG = cfg -> cfg.set(NodeKeys.WORK_CONCURRENCY, 4)
    .set(NodeKeys.WORK_BULK_URGENCY, 8_000L).set(NodeKeys.WORK_LATENCY_TARGET, 2_000L);

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void bulkBacklogBesideCriticalGameplay() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode game = mesh.start("game", CONFIG);
      NetflowNode worker = mesh.start("worker", CONFIG);
      join(worker.mesh().host("match", e -> Future.succeededFuture(Buffer.buffer("ok"))));
      mesh.awaitHosts("match", 1);
      for (NetflowNode n : List.of(game, worker)) {
        n.scheduler().handle("batch", batch(n));
      }
      gameplay(game, 3_000, () -> false); // warm-up

      JsonObject runs = new JsonObject();
      List<Double> ours = new ArrayList<>();
      List<Double> naive = new ArrayList<>();
      List<Double> oursOnTime = new ArrayList<>();
      List<Double> naiveOnTime = new ArrayList<>();
      for (int run = 1; run <= Bench.RUNS; run++) {
        Histogram idle = gameplay(game, PHASE_MS, () -> false);

        List<String> ids = new ArrayList<>();
        int target = ran.get() + BATCHES;
        long start = System.currentTimeMillis();
        for (int i = 0; i < BATCHES; i++) {
          String id = "batch-" + run + "-" + i + "-" + UUID.randomUUID();
          ids.add(id);
          join((i % 2 == 0 ? game : worker).scheduler().submit(new JsonObject().put("id", id).put("kind", "batch")
            .put("class", "BULK").put("deadlineInMs", deadline(i)), "bench"));
        }
        // Every phase plays the same 27 s of rounds and lulls.
        Histogram scheduled = gameplay(game, PHASE_MS, () -> false);
        TestMesh.await(java.time.Duration.ofSeconds(60), "the backlog", () -> ran.get() >= target);
        long backlogMs = System.currentTimeMillis() - start;
        double onTime = onTime(game, ids);

        long naiveStart = System.currentTimeMillis();
        List<Future<Long>> done = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
          long deadline = naiveStart + deadline(i);
          done.add((i % 2 == 0 ? game : worker).vertx().executeBlocking(() -> {
            spin(BATCH_CPU_MS);
            return System.currentTimeMillis() <= deadline ? 1L : 0L;
          }, false));
        }
        Future<?> all = Future.all(done);
        Histogram fifo = gameplay(game, PHASE_MS, () -> false);
        join(all);
        double naiveShare = done.stream().mapToLong(Future::result).sum() / (double) BATCHES;

        ours.add(Bench.ms(scheduled, 99) / Bench.ms(idle, 99));
        naive.add(Bench.ms(fifo, 99) / Bench.ms(idle, 99));
        oursOnTime.add(onTime);
        naiveOnTime.add(naiveShare);
        runs.put("run" + run, new JsonObject().put("idle", Bench.latency(idle))
          .put("scheduled", Bench.latency(scheduled).put("bulkOnTime", onTime).put("backlogMs", backlogMs))
          .put("naiveFifo", Bench.latency(fifo).put("bulkOnTime", naiveShare)));
      }
      Bench.save("scheduling", new JsonObject()
        .put("what", "CRITICAL p99 of open-loop gameplay (6 s at 400/s, 3 s lull at 20/s) while " + BATCHES
          + " BULK batches (" + BATCH_CPU_MS + " ms CPU each, deadlines 12-40 s) are worked off / the same gameplay"
          + " alone (target <= 1.5), and the share of batches done by their deadline")
        .put("medianRatioScheduled", Bench.median(ours))
        .put("medianRatioNaiveFifo", Bench.median(naive))
        .put("medianBulkOnTimeScheduled", Bench.median(oursOnTime))
        .put("medianBulkOnTimeNaiveFifo", Bench.median(naiveOnTime))
        .put("runs", runs));
    }
  }

  private static long deadline(int i) {
    return 12_000 + (long) i * 28_000 / BATCHES;
  }

  /**
   * Plays rounds and lulls from {@code game} for {@code ms} at most (or until {@code done}), open
   * loop, and returns the latency of every request.
   */
  private static Histogram gameplay(NetflowNode game, long ms, BooleanSupplier done) throws Exception {
    ConcurrentHistogram h = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(1), 3);
    long start = System.nanoTime();
    long end = start + TimeUnit.MILLISECONDS.toNanos(ms);
    AtomicInteger outstanding = new AtomicInteger();
    long next = start;
    while (System.nanoTime() < end && !done.getAsBoolean()) {
      long inCycle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) % (PLAY_MS + LULL_MS);
      long gapNanos = inCycle < PLAY_MS ? 2_500_000 : 50_000_000;
      long sentAt = System.nanoTime();
      outstanding.incrementAndGet();
      game.mesh().request(Envelope.toService("match").priority(Priority.CRITICAL).payload("move").build())
        .onComplete(ar -> {
          h.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sentAt)));
          outstanding.decrementAndGet();
        });
      next += gapNanos;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        TimeUnit.NANOSECONDS.sleep(sleep);
      } else {
        next = System.nanoTime();
      }
    }
    TestMesh.await(java.time.Duration.ofSeconds(10), "gameplay answered", () -> outstanding.get() == 0);
    return h;
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

  private static double onTime(NetflowNode node, List<String> ids) throws Exception {
    TestMesh.await(java.time.Duration.ofSeconds(30), "every batch recorded", () -> {
      try {
        for (String id : ids) {
          String state = join(node.scheduler().status(id)).getString("state");
          if (state.equals("QUEUED") || state.equals("RUNNING")) {
            return false;
          }
        }
        return true;
      } catch (Exception e) {
        return false;
      }
    });
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
