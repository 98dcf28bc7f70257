package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.LocalMapStats;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.gateway.protocol.Sha256;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import io.netflow.rewards.Contribution;
import io.netflow.rewards.impl.Ledger;
import io.netflow.scheduling.impl.WorkStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded soak ({@code -Dsoak.minutes}, 10 by default): three nodes under mixed traffic, open
 * loop, for the whole time: CRITICAL requests (200/s), NORMAL requests (200/s), 64 KiB BULK
 * (20/s), publications (50/s), deferred work (5/s) and contributions (5/s, from ten devices). Every minute it records
 * the heap in use after a GC, the CRITICAL p99 of that minute and what the mesh keeps on purpose
 * (work items, queued or finished; ledger credits: their count, and the heap their entries take
 * as Hazelcast counts it); the report compares the last minute with the first (heap and latency
 * should stay flat) and counts every failure.
 *
 * <p>The mesh is never quiet here, so BULK work waits for its deadline to come near
 * ({@code scheduling.bulk-urgency-ms}): the work carries a 90 s deadline and finished items are
 * kept 60 s ({@code scheduling.retention-ms}), so within the soak both reach their steady state
 * (with the defaults, an hour each, they grow for the first hour). Ledger credits are kept for
 * good, by design, and grow with the contributions.
 */
class SoakBench {

  private static final int MINUTES = Integer.getInteger("soak.minutes", 10);

  @Test
  @Timeout(value = 40, unit = TimeUnit.MINUTES)
  void mixedTrafficStaysFlat() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      UnaryOperator<NodeConfig> steady = cfg -> cfg.set(NodeKeys.WORK_RETENTION, 60_000L);
      NetflowNode a = mesh.start("a", steady);
      NetflowNode b = mesh.start("b", steady);
      NetflowNode c = mesh.start("c", steady);
      HazelcastInstance hazelcast = Hazelcast.getAllHazelcastInstances().iterator().next();
      WorkStore work = new WorkStore(hazelcast);
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
            .put("deadlineInMs", 90_000).put("payload", new JsonObject().put("t", t)), "soak").onFailure(err -> failures.incrementAndGet());
          String data = "soak trace " + t + " " + Long.toHexString(t * 0x9E3779B97F4A7C15L);
          byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
          // Ten devices, 30 contributions a minute each: under rewards.rate-per-minute, so a failure is a failure.
          c.rewards().contribute(new Contribution("s-" + t, "soak-device-" + (t / 40 % 10), "telemetry", bytes.length,
            Sha256.hex(bytes), bytes, null)).onFailure(err -> failures.incrementAndGet());
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
        long heap = memory.getHeapMemoryUsage().getUsed();
        long kept = kept(WorkStore.MAP, Ledger.CREDITS);
        JsonObject row = new JsonObject().put("minute", m).put("heapUsedMiB", heap >> 20)
          .put("criticalP99Ms", Bench.ms(h, 99)).put("criticalP50Ms", Bench.ms(h, 50)).put("critical", h.getTotalCount())
          .put("failuresSoFar", failures.get())
          .put("keptMiB", mib(kept)).put("heapLessKeptMiB", mib(heap - kept))
          .put("workItems", hazelcast.getMap(WorkStore.MAP).size())
          .put("bulkQueued", work.backlog().getJsonObject("QUEUED").getInteger("BULK"))
          .put("ledgerCredits", hazelcast.getMap(Ledger.CREDITS).size());
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

  private static double mib(long bytes) {
    return Math.round(bytes * 10.0 / (1 << 20)) / 10.0;
  }

  /** Bytes the given maps' entries (owned and backups) take on every Hazelcast member in this JVM, as Hazelcast counts them. */
  private static long kept(String... maps) {
    long bytes = 0;
    for (HazelcastInstance member : Hazelcast.getAllHazelcastInstances()) {
      for (String map : maps) {
        LocalMapStats stats = member.getMap(map).getLocalMapStats();
        bytes += stats.getOwnedEntryMemoryCost() + stats.getBackupEntryMemoryCost();
      }
    }
    return bytes;
  }
}
