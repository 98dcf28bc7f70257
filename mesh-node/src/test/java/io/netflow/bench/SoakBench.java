package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.rewards.Contribution;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded soak ({@code -Dsoak.minutes}, 10 by default): three nodes under mixed traffic, open
 * loop, for the whole time: CRITICAL requests (200/s), NORMAL requests (200/s), 64 KiB BULK
 * (20/s), publications (50/s), deferred work (5/s) and contributions (5/s, from ten devices). Every minute it records
 * the heap in use after a GC and the CRITICAL p99 of that minute; the report compares the last
 * minute with the first (heap and latency should stay flat) and counts every failure.
 */
class SoakBench {

  private static final int MINUTES = Integer.getInteger("soak.minutes", 10);

  @Test
  @Timeout(value = 40, unit = TimeUnit.MINUTES)
  void mixedTrafficStaysFlat() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("a");
      NetflowNode b = mesh.start("b");
      NetflowNode c = mesh.start("c");
      for (NetflowNode n : new NetflowNode[] {b, c}) {
        join(n.mesh().host("match", e -> Future.succeededFuture(Buffer.buffer("ok"))));
        join(n.mesh().host("telemetry", e -> Future.succeededFuture(Buffer.buffer("stored"))));
        join(n.mesh().subscribe("match-1.positions", e -> { }));
      }
      mesh.awaitHosts("match", 2);
      mesh.awaitHosts("telemetry", 2);
      mesh.awaitSubscribers("match-1.positions", 2);
      AtomicLong failures = new AtomicLong();
      AtomicLong sent = new AtomicLong();
      ConcurrentHistogram[] minute = {new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(1), 3)};
      Buffer bulk = Buffer.buffer(new byte[64 * 1024]);
      long[] tick = {0};
      long timer = a.vertx().setPeriodic(5, id -> {
        long t = tick[0]++;
        sent.addAndGet(2);
        long start = System.nanoTime();
        a.mesh().request(Envelope.toService("match").priority(Priority.CRITICAL).key("p" + (t % 500)).payload("move").build())
          .onComplete(ar -> {
            minute[0].recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start)));
            if (ar.failed()) {
              failures.incrementAndGet();
            }
          });
        a.mesh().request(Envelope.toService("match").priority(Priority.NORMAL).payload("state").build())
          .onFailure(err -> failures.incrementAndGet());
        if (t % 10 == 0) {
          sent.incrementAndGet();
          c.mesh().request(Envelope.toService("telemetry").priority(Priority.BULK).payload(bulk).build())
            .onFailure(err -> failures.incrementAndGet());
        }
        if (t % 4 == 0) {
          sent.incrementAndGet();
          a.mesh().publish(Envelope.toTopic("match-1.positions").priority(Priority.HIGH).payload("pos " + t).build())
            .onFailure(err -> failures.incrementAndGet());
        }
        if (t % 40 == 0) {
          sent.addAndGet(2);
          b.scheduler().submit(new JsonObject().put("kind", "deliver").put("service", "telemetry").put("class", "BULK")
            .put("payload", new JsonObject().put("t", t)), "soak").onFailure(err -> failures.incrementAndGet());
          String data = "soak trace " + t + " " + Long.toHexString(t * 0x9E3779B97F4A7C15L);
          byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
          // Ten devices, 30 contributions a minute each: under rewards.rate-per-minute, so a failure is a failure.
          c.rewards().contribute(new Contribution("s-" + t, "soak-device-" + (t / 40 % 10), "telemetry", bytes.length,
            Contribution.sha256(bytes), bytes, null)).onFailure(err -> failures.incrementAndGet());
        }
      });
      JsonArray minutes = new JsonArray();
      var memory = ManagementFactory.getMemoryMXBean();
      for (int m = 1; m <= MINUTES; m++) {
        Thread.sleep(60_000);
        Histogram h = minute[0];
        minute[0] = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(1), 3);
        System.gc();
        Thread.sleep(500);
        JsonObject row = new JsonObject().put("minute", m).put("heapUsedMiB", memory.getHeapMemoryUsage().getUsed() >> 20)
          .put("criticalP99Ms", Bench.ms(h, 99)).put("criticalP50Ms", Bench.ms(h, 50)).put("critical", h.getTotalCount())
          .put("failuresSoFar", failures.get());
        System.out.println("[soak] " + row.encode());
        minutes.add(row);
      }
      a.vertx().cancelTimer(timer);
      JsonObject first = minutes.getJsonObject(0);
      JsonObject last = minutes.getJsonObject(minutes.size() - 1);
      Bench.save("soak", new JsonObject()
        .put("what", MINUTES + " minutes of mixed open-loop traffic on 3 nodes: heap after GC and CRITICAL p99 per minute")
        .put("sent", sent.get()).put("failures", failures.get())
        .put("heapFirstMinuteMiB", first.getLong("heapUsedMiB")).put("heapLastMinuteMiB", last.getLong("heapUsedMiB"))
        .put("p99FirstMinuteMs", first.getDouble("criticalP99Ms")).put("p99LastMinuteMs", last.getDouble("criticalP99Ms"))
        .put("minutes", minutes));
    }
  }
}
