package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Three workers of capacity 1:2:4 (1, 2 and 4 slots of 10 ms service each), offered Poisson load
 * at 80% of their total capacity from a fourth node: p99 latency and max/mean utilisation through
 * NetFlow's router, and through Vert.x's own round robin over the same workers.
 */
class HeterogeneousCapacityBench {

  private static final long SERVICE_MS = 10;
  private static final int[] SLOTS = {1, 2, 4};
  private static final double LOAD = 0.8;
  private static final long SECONDS = Long.getLong("bench.seconds", 8);

  @Test
  void routingByCapacityAndLatency() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode client = mesh.start("client");
      List<SlottedWorker> workers = new ArrayList<>();
      for (int slots : SLOTS) {
        NetflowNode w = mesh.start("worker-" + slots, cfg -> cfg.set(NodeKeys.NODE_CAPACITY, (double) slots));
        SlottedWorker worker = new SlottedWorker(w.vertx().getOrCreateContext(), slots, SERVICE_MS);
        workers.add(worker);
        // One simulated machine behind both paths.
        join(w.mesh().host("work", e -> worker.serve()));
        join(w.vertx().eventBus().<Buffer>consumer("bench.rr.work", m -> worker.serve().onComplete(ar -> m.reply(ar.result())))
          .completion());
      }
      mesh.awaitHosts("work", 3);
      double capacityPerSecond = 0;
      for (int slots : SLOTS) {
        capacityPerSecond += slots * 1000.0 / SERVICE_MS;
      }
      double rate = LOAD * capacityPerSecond;

      Supplier<Future<?>> ours = () -> client.mesh().request(Envelope.toService("work").timeoutMillis(30_000).build());
      Supplier<Future<?>> roundRobin = () -> client.vertx().eventBus().request("bench.rr.work", Buffer.buffer("w"),
        new DeliveryOptions().setSendTimeout(30_000));

      JsonObject runs = new JsonObject();
      List<Double> ratios = new ArrayList<>();
      List<Double> oursP99 = new ArrayList<>();
      List<Double> rrP99 = new ArrayList<>();
      List<Double> oursSkew = new ArrayList<>();
      List<Double> rrSkew = new ArrayList<>();
      for (int run = 1; run <= Bench.RUNS; run++) {
        Result o = open(client, ours, rate, workers);
        Result r = open(client, roundRobin, rate, workers);
        ratios.add(Bench.ms(o.latency, 99) / Bench.ms(r.latency, 99));
        oursP99.add(Bench.ms(o.latency, 99));
        rrP99.add(Bench.ms(r.latency, 99));
        oursSkew.add(o.maxOverMeanUtilisation);
        rrSkew.add(r.maxOverMeanUtilisation);
        runs.put("run" + run, new JsonObject().put("netflow", o.toJson()).put("vertxRoundRobin", r.toJson()));
      }
      Bench.save("heterogeneous-capacity", new JsonObject()
        .put("what", "p99 latency at 80% offered load over capacities 1:2:4, NetFlow / Vert.x round robin (target <= 0.3)")
        .put("offeredPerSecond", rate)
        .put("medianP99RatioNetflowOverRoundRobin", Bench.median(ratios))
        .put("medianP99MsNetflow", Bench.median(oursP99))
        .put("medianP99MsRoundRobin", Bench.median(rrP99))
        .put("medianMaxOverMeanUtilisationNetflow", Bench.median(oursSkew))
        .put("medianMaxOverMeanUtilisationRoundRobin", Bench.median(rrSkew))
        .put("runs", runs));
    }
  }

  private record Result(Histogram latency, long failed, Map<String, Long> failures, double[] utilisation,
                        double maxOverMeanUtilisation) {
    JsonObject toJson() {
      return Bench.latency(latency).put("failed", failed).put("failures", new JsonObject(new HashMap<>(failures))).put("utilisation", Bench.array(
        java.util.Arrays.stream(utilisation).boxed().toList())).put("maxOverMeanUtilisation", maxOverMeanUtilisation);
    }
  }

  /** Poisson arrivals at {@code rate} per second for the run's length; waits for every answer. */
  private static Result open(NetflowNode client, Supplier<Future<?>> call, double rate, List<SlottedWorker> workers)
    throws Exception {
    Histogram h = Bench.histogram();
    AtomicLong failed = new AtomicLong();
    Map<String, Long> failures = new ConcurrentHashMap<>();
    AtomicLong pending = new AtomicLong();
    Promise<Void> done = Promise.promise();
    SplittableRandom random = new SplittableRandom(42);
    long start = System.nanoTime();
    long end = start + SECONDS * 1_000_000_000L;
    workers.forEach(w -> w.utilisationSince(start));
    client.vertx().runOnContext(v -> arrive(client, call, rate, random, start, end, h, failed, failures, pending, done));
    join(done.future());
    double[] u = new double[workers.size()];
    double sum = 0;
    double max = 0;
    for (int i = 0; i < u.length; i++) {
      u[i] = workers.get(i).utilisationSince(start);
      sum += u[i];
      max = Math.max(max, u[i]);
    }
    return new Result(h, failed.get(), failures, u, max / (sum / u.length));
  }

  private static void arrive(NetflowNode client, Supplier<Future<?>> call, double rate, SplittableRandom random,
                             long next, long end, Histogram h, AtomicLong failed, Map<String, Long> failures,
                             AtomicLong pending, Promise<Void> done) {
    long now = System.nanoTime();
    while (next <= now && next < end) {
      long sent = System.nanoTime();
      pending.incrementAndGet();
      call.get().onComplete(ar -> {
        if (ar.succeeded()) {
          h.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
        } else {
          failed.incrementAndGet();
          failures.merge(MeshException.of(ar.cause()).code().name(), 1L, Long::sum);
        }
        if (pending.decrementAndGet() == 0 && System.nanoTime() >= end) {
          done.tryComplete();
        }
      });
      next += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
    }
    if (next >= end) {
      if (pending.get() == 0) {
        done.tryComplete();
      }
      return;
    }
    long waitMs = Math.max(1, (next - System.nanoTime()) / 1_000_000);
    long at = next;
    client.vertx().setTimer(waitMs, t -> arrive(client, call, rate, random, at, end, h, failed, failures, pending, done));
  }
}
