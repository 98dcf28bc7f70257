package io.netflow.bench;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.config.NodeConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The priority benchmark over the lab's shaped links ({@code config/lab/priority.sh}): a node of its
 * own in a lab host's namespace, joined to the lab's mesh. {@code receive} hosts the services (and
 * plain event-bus consumers) on one host; {@code send}, on another, measures one small CRITICAL
 * request at a time across the shaped link, idle and beside a BULK flood of 64 KiB messages to the
 * same host: through NetFlow's lanes, and through plain clustered event-bus request/reply (one FIFO
 * connection) as the baseline. Prints one JSON line. Node settings come from the environment and
 * arguments as for the node itself ({@code NETFLOW_*}, {@code --join}...).
 */
public final class LabPriorityProbe {

  private static final int PROBES = Integer.getInteger("probes", 400);
  private static final int OUTSTANDING = 16;
  private static final Buffer BULK = Buffer.buffer(new byte[64 * 1024]);
  private static final DeliveryOptions PLAIN = new DeliveryOptions().setSendTimeout(60_000);

  private LabPriorityProbe() {
  }

  public static void main(String[] args) throws Exception {
    String role = args[0];
    NetflowNode node = new NetflowNode(NodeConfigLoader.load(List.of(args).subList(1, args.length), System.getenv()));
    node.start().toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    if (role.equals("receive")) {
      Buffer ok = Buffer.buffer("ok");
      node.mesh().host("lab.control", e -> Future.succeededFuture(ok));
      node.mesh().host("lab.ingest", e -> Future.succeededFuture(ok));
      node.vertx().eventBus().consumer("lab.plain.control", m -> m.reply(ok));
      node.vertx().eventBus().consumer("lab.plain.ingest", m -> m.reply(ok));
      System.out.println("receiver ready");
      new CountDownLatch(1).await();
    }
    Supplier<Future<?>> oursCritical = () -> node.mesh().request(Envelope.toService("lab.control")
      .priority(Priority.CRITICAL).timeoutMillis(60_000).payload("jump").build());
    Supplier<Future<?>> oursBulk = () -> node.mesh().request(Envelope.toService("lab.ingest")
      .priority(Priority.BULK).timeoutMillis(60_000).payload(BULK).build());
    Supplier<Future<?>> plainCritical = () -> node.vertx().eventBus().request("lab.plain.control", Buffer.buffer("jump"), PLAIN);
    Supplier<Future<?>> plainBulk = () -> node.vertx().eventBus().request("lab.plain.ingest", BULK, PLAIN);
    // Wait for the receiver: the service hosted, the plain consumer registered.
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        oursCritical.get().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        plainCritical.get().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        break;
      } catch (Exception notYet) {
        if (System.currentTimeMillis() > deadline) {
          throw notYet;
        }
        Thread.sleep(500);
      }
    }
    JsonObject report = new JsonObject().put("benchmark", "lab-priority").put("probes", PROBES)
      .put("bulkOutstanding", OUTSTANDING).put("bulkBytes", BULK.length());
    report.put("netflow", measure(oursCritical, oursBulk)).put("plainEventBus", measure(plainCritical, plainBulk));
    report.put("netflowLoadedP99OverIdle", report.getJsonObject("netflow").getDouble("loadedOverIdle"))
      .put("plainLoadedP99OverIdle", report.getJsonObject("plainEventBus").getDouble("loadedOverIdle"))
      .put("plainLoadedP99OverNetflowLoadedP99", Math.round(report.getJsonObject("plainEventBus").getDouble("loadedP99Ms")
        / report.getJsonObject("netflow").getDouble("loadedP99Ms") * 10) / 10.0);
    System.out.println(report.encode());
    node.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** Probes idle, then beside a flood that keeps {@link #OUTSTANDING} bulk messages in flight. */
  private static JsonObject measure(Supplier<Future<?>> probe, Supplier<Future<?>> bulk) throws Exception {
    Histogram idle = probes(probe);
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicLong sent = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    CountDownLatch drained = new CountDownLatch(OUTSTANDING);
    for (int i = 0; i < OUTSTANDING; i++) {
      flood(bulk, flooding, sent, refused, drained);
    }
    Thread.sleep(2_000);
    Histogram loaded = probes(probe);
    flooding.set(false);
    drained.await(120, TimeUnit.SECONDS);
    return new JsonObject().put("idleP50Ms", Bench.ms(idle, 50)).put("idleP99Ms", Bench.ms(idle, 99))
      .put("loadedP50Ms", Bench.ms(loaded, 50)).put("loadedP99Ms", Bench.ms(loaded, 99))
      .put("loadedMaxMs", loaded.getMaxValue() / 1000.0)
      .put("loadedOverIdle", Math.round(Bench.ms(loaded, 99) / Bench.ms(idle, 99) * 10) / 10.0)
      .put("bulkSent", sent.get()).put("bulkRefused", refused.get());
  }

  private static void flood(Supplier<Future<?>> bulk, AtomicBoolean flooding, AtomicLong sent, AtomicLong refused,
                            CountDownLatch drained) {
    if (!flooding.get()) {
      drained.countDown();
      return;
    }
    sent.incrementAndGet();
    bulk.get().onComplete(ar -> {
      if (ar.failed()) {
        refused.incrementAndGet();
      }
      flood(bulk, flooding, sent, refused, drained);
    });
  }

  /** {@link #PROBES} requests, one at a time, 20 ms apart; latency in microseconds. */
  private static Histogram probes(Supplier<Future<?>> probe) throws Exception {
    Histogram h = Bench.histogram();
    for (int i = 0; i < PROBES; i++) {
      long start = System.nanoTime();
      probe.get().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      h.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start)));
      Thread.sleep(20);
    }
    return h;
  }
}
