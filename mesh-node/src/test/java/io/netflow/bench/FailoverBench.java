package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A node hosting a service is killed under CRITICAL load: the longest gap between answers, and
 * acknowledged envelopes that were never handled. NetFlow against plain event-bus round robin
 * (1 s timeout) over the same two servers.
 */
class FailoverBench {

  private static final int IN_FLIGHT = 32;

  @Test
  void killAServerUnderCriticalLoad() throws Exception {
    JsonObject runs = new JsonObject();
    List<Double> oursGap = new ArrayList<>();
    List<Double> plainGap = new ArrayList<>();
    long oursLost = 0;
    long oursFailed = 0;
    long plainFailed = 0;
    for (int run = 1; run <= Bench.RUNS; run++) {
      Outcome o = once(true);
      Outcome p = once(false);
      oursGap.add(o.longestGapMs);
      plainGap.add(p.longestGapMs);
      oursLost += o.acknowledgedLost;
      oursFailed += o.failed;
      plainFailed += p.failed;
      runs.put("run" + run, new JsonObject().put("netflow", o.toJson()).put("plainEventBus", p.toJson()));
    }
    Bench.save("failover", new JsonObject()
      .put("what", "kill -9 (in-JVM: Hazelcast terminated) of one of two servers under CRITICAL load: longest gap "
        + "between answers, acknowledged envelopes never handled (target 0)")
      .put("medianLongestGapMsNetflow", Bench.median(oursGap))
      .put("medianLongestGapMsPlainEventBus", Bench.median(plainGap))
      .put("acknowledgedLostNetflow", oursLost)
      .put("failedNetflow", oursFailed)
      .put("failedPlainEventBus", plainFailed)
      .put("runs", runs));
  }

  private record Outcome(double longestGapMs, long answered, long failed, long acknowledgedLost) {
    JsonObject toJson() {
      return new JsonObject().put("longestGapMs", longestGapMs).put("answered", answered).put("failed", failed)
        .put("acknowledgedLost", acknowledgedLost);
    }
  }

  private static Outcome once(boolean netflow) throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode client = mesh.start("client");
      NetflowNode b = mesh.start("b");
      NetflowNode c = mesh.start("c");
      Set<String> handled = ConcurrentHashMap.newKeySet();
      for (NetflowNode n : List.of(b, c)) {
        join(n.mesh().host("match", e -> {
          handled.add(e.id());
          return Future.succeededFuture(Buffer.buffer("ok"));
        }));
        join(n.vertx().eventBus().<Buffer>consumer("bench.plain.match", m -> {
          handled.add(m.headers().get("id"));
          m.reply(Buffer.buffer("ok"));
        }).completion());
      }
      mesh.awaitHosts("match", 2);
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicLong lastAnswer = new AtomicLong(System.nanoTime());
      AtomicLong longestGap = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      Function<String, Future<?>> send = id -> netflow
        ? client.mesh().request(Envelope.toService("match").id(id).priority(Priority.CRITICAL).timeoutMillis(5_000).build())
        : client.vertx().eventBus().request("bench.plain.match", Buffer.buffer("x"),
          new DeliveryOptions().setSendTimeout(1_000).addHeader("id", id));
      AtomicLong seq = new AtomicLong();
      Loop loop = new Loop(client.vertx(), IN_FLIGHT, () -> {
        String id = "e" + seq.incrementAndGet();
        Promise<Void> p = Promise.promise();
        send.apply(id).onComplete(ar -> {
          long now = System.nanoTime();
          if (ar.succeeded()) {
            acknowledged.add(id);
            longestGap.accumulateAndGet(now - lastAnswer.getAndSet(now), Math::max);
          } else {
            failed.incrementAndGet();
          }
          p.complete();
        });
        return p.future();
      }).start();
      Thread.sleep(1_500);
      longestGap.set(0);
      mesh.kill(c);
      Thread.sleep(3_000);
      join(loop.stop());
      long lost = acknowledged.stream().filter(id -> !handled.contains(id)).count();
      return new Outcome(longestGap.get() / 1e6, acknowledged.size(), failed.get(), lost);
    }
  }
}
