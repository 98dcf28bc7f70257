package io.netflow.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The egress scheduler, with a fake wire that holds every envelope until the test answers it. */
@ExtendWith(VertxExtension.class)
class LinkTest {

  private record OnWire(Envelope envelope, Promise<Buffer> answer) {
  }

  private final List<OnWire> wire = new ArrayList<>();
  private Vertx vertx;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  private Link link(LaneOptions options) {
    return link(options, Link.Silence.NONE);
  }

  private Link link(LaneOptions options, Link.Silence silence) {
    return new Link("n1", "n1", options, new LaneStats(options), (node, e, timeout) -> {
      Promise<Buffer> p = Promise.promise();
      wire.add(new OnWire(e, p));
      return p.future();
    }, vertx, new SimpleMeterRegistry(), silence);
  }

  private static Envelope env(Priority p, int payloadBytes, String id) {
    return Envelope.toService("svc").id(id).priority(p).payload(Buffer.buffer(new byte[payloadBytes])).build();
  }

  private void answerFirst() {
    OnWire w = wire.remove(0);
    w.answer().complete(null);
  }

  @Test
  void criticalOvertakesQueuedBulkAndIgnoresTheWindow() {
    Link link = link(new LaneOptions().setLinkWindowBytes(4096));
    for (int i = 0; i < 10; i++) {
      link.offer(env(Priority.BULK, 2000, "bulk-" + i), 1000);
    }
    // The window (4 KiB) lets two BULK envelopes out; the other eight wait.
    assertThat(wire).hasSize(2);
    link.offer(env(Priority.CRITICAL, 100, "critical"), 1000);
    assertThat(wire).hasSize(3);
    assertThat(wire.get(2).envelope().id()).isEqualTo("critical");
    answerFirst();
    assertThat(wire.get(wire.size() - 1).envelope().id()).isEqualTo("bulk-2");
  }

  @Test
  void lanesShareTheLinkByWeight() {
    Link link = link(new LaneOptions().setLinkWindowBytes(1024).setChunkBytes(1024)
      .setLane(Priority.HIGH, new LaneOptions.Lane(4, 1 << 20, 0))
      .setLane(Priority.BULK, new LaneOptions.Lane(1, 1 << 20, 0)));
    for (int i = 0; i < 200; i++) {
      link.offer(env(Priority.BULK, 900, "b" + i), 1000);
      link.offer(env(Priority.HIGH, 900, "h" + i), 1000);
    }
    int high = 0;
    int bulk = 0;
    for (int i = 0; i < 100; i++) {
      String id = wire.get(0).envelope().id();
      if (id.startsWith("h")) {
        high++;
      } else {
        bulk++;
      }
      answerFirst();
    }
    // Weights 4:1, with whole envelopes of ~1 KiB against 1 KiB quanta.
    assertThat((double) high / bulk).isBetween(3.0, 5.5);
  }

  @Test
  void fullBulkLaneShedsWithRetryAfterAndKeepsWhatItHas() {
    LaneOptions options = new LaneOptions().setLinkWindowBytes(1024)
      .setLane(Priority.BULK, new LaneOptions.Lane(1, 4096, 0));
    Link link = link(options);
    List<Future<Buffer>> results = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      results.add(link.offer(env(Priority.BULK, 1000, "b" + i), 1000));
    }
    long shed = results.stream().filter(Future::failed).count();
    assertThat(shed).isPositive();
    results.stream().filter(Future::failed).forEach(f -> {
      MeshException x = (MeshException) f.cause();
      assertThat(x.code()).isEqualTo(ErrorCode.OVERLOADED);
      assertThat(x.retryAfterMs()).isPositive();
    });
    // What was accepted is still delivered.
    while (!wire.isEmpty()) {
      answerFirst();
    }
    assertThat(results.stream().filter(Future::succeeded).count()).isEqualTo(6 - shed);
  }

  @Test
  void largePayloadsAreChunkedAndCriticalPassesBetweenChunks() {
    Link link = link(new LaneOptions().setChunkBytes(1024).setLinkWindowBytes(1024));
    Future<Buffer> big = link.offer(env(Priority.BULK, 4000, "big"), 1000);
    assertThat(wire).hasSize(1);
    assertThat(wire.get(0).envelope().headers()).containsEntry(Link.CHUNK_HEADER, "0/4");
    link.offer(env(Priority.CRITICAL, 10, "critical"), 1000);
    assertThat(wire.get(1).envelope().id()).isEqualTo("critical");
    answerFirst();
    answerFirst();
    assertThat(wire.get(0).envelope().headers()).containsEntry(Link.CHUNK_HEADER, "1/4");
    answerFirst();
    answerFirst();
    assertThat(big.isComplete()).isFalse();
    answerFirst();
    assertThat(big.succeeded()).isTrue();
  }

  @Test
  void closingFailsQueuedAndInFlightAtOnce() {
    Link link = link(new LaneOptions().setLinkWindowBytes(1024));
    Future<Buffer> sent = link.offer(env(Priority.NORMAL, 1000, "sent"), 60_000);
    Future<Buffer> queued = link.offer(env(Priority.NORMAL, 1000, "queued"), 60_000);
    assertThat(wire).hasSize(1);
    link.close(new MeshException(ErrorCode.NO_HANDLERS, "left"));
    assertThat(sent.failed()).isTrue();
    assertThat(queued.failed()).isTrue();
    // A late answer from the dead node changes nothing.
    wire.get(0).answer().complete(null);
    assertThat(sent.failed()).isTrue();
  }

  @Test
  void ceilingHoldsALaneBackButNotTheOthers() {
    LaneOptions options = new LaneOptions().setLinkWindowBytes(1 << 20)
      .setLane(Priority.BULK, new LaneOptions.Lane(1, 1 << 20, 64 * 1024));
    Link link = link(options);
    for (int i = 0; i < 20; i++) {
      link.offer(env(Priority.BULK, 16 * 1024, "b" + i), 1000);
    }
    link.offer(env(Priority.NORMAL, 16 * 1024, "n"), 1000);
    long bulkSent = wire.stream().filter(w -> w.envelope().priority() == Priority.BULK).count();
    // 64 KiB of burst: about four 16 KiB envelopes, not twenty.
    assertThat(bulkSent).isBetween(3L, 5L);
    assertThat(wire.stream().anyMatch(w -> w.envelope().id().equals("n"))).isTrue();
  }

  /** Runs {@code scenario} on one event loop (the link's timers run there too) and waits for it. */
  private <T> T onLoop(java.util.function.Function<io.vertx.core.Context, Future<T>> scenario) throws Exception {
    io.vertx.core.Context ctx = vertx.getOrCreateContext();
    java.util.concurrent.CompletableFuture<T> done = new java.util.concurrent.CompletableFuture<>();
    ctx.runOnContext(v -> scenario.apply(ctx).onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(ar.result());
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    return done.get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void aDestinationSilentWithEnvelopesOnTheWireIsSuspectedThenLessOften() throws Exception {
    List<Long> suspectedAt = new ArrayList<>();
    long[] sentAt = new long[1];
    onLoop(ctx -> {
      Link link = link(new LaneOptions(), new Link.Silence(50, () -> suspectedAt.add(System.nanoTime())));
      sentAt[0] = System.nanoTime();
      link.offer(env(Priority.CRITICAL, 100, "never-answered"), 60_000);
      Promise<Void> p = Promise.promise();
      vertx.setTimer(800, t -> p.complete());
      return p.future();
    });
    // Suspected 50 ms after the send, then each time after twice the silence before: 50, 150, 350, 750 ms.
    assertThat(suspectedAt).hasSizeBetween(2, 4);
    long first = (suspectedAt.get(0) - sentAt[0]) / 1_000_000;
    long second = (suspectedAt.get(1) - suspectedAt.get(0)) / 1_000_000;
    assertThat(first).isGreaterThanOrEqualTo(50);
    assertThat(second).isGreaterThanOrEqualTo(100);
  }

  @Test
  void aDestinationThatAnswersIsNotSuspectedThoughOneRequestWaitsLong() throws Exception {
    List<Long> suspectedAt = new ArrayList<>();
    onLoop(ctx -> {
      Link link = link(new LaneOptions(), new Link.Silence(200, () -> suspectedAt.add(System.nanoTime())));
      // A slow request stays on the wire the whole time (four times the silence allowed); others come
      // and are answered every 10 ms.
      link.offer(env(Priority.NORMAL, 100, "slow"), 60_000);
      int[] n = {0};
      long periodic = vertx.setPeriodic(10, t -> {
        link.offer(env(Priority.CRITICAL, 100, "c" + n[0]++), 60_000);
        OnWire w = wire.remove(wire.size() - 1);
        w.answer().complete(null);
      });
      Promise<Void> p = Promise.promise();
      vertx.setTimer(800, t -> {
        vertx.cancelTimer(periodic);
        p.complete();
      });
      return p.future();
    });
    assertThat(suspectedAt).as("suspicions while the node answered").isEmpty();
  }

  @Test
  void anAnswerAfterALongSilenceStartsTheWatchOver() throws Exception {
    List<Long> suspectedAt = new ArrayList<>();
    long[] answeredAt = new long[1];
    onLoop(ctx -> {
      Link link = link(new LaneOptions(), new Link.Silence(100, () -> suspectedAt.add(System.nanoTime())));
      link.offer(env(Priority.CRITICAL, 100, "never-answered"), 60_000);
      Promise<Void> p = Promise.promise();
      // Suspected at 100, 300 and 700 ms; the next would wait 800 ms more. An answer at 750 ms starts
      // the watch over: the silence after it is suspected 100 ms later, not at 1,500 ms.
      vertx.setTimer(750, t -> {
        link.offer(env(Priority.CRITICAL, 100, "answered"), 60_000);
        answeredAt[0] = System.nanoTime();
        wire.remove(wire.size() - 1).answer().complete(null);
      });
      vertx.setTimer(1_200, t -> p.complete());
      return p.future();
    });
    List<Long> after = suspectedAt.stream().filter(t -> t > answeredAt[0]).toList();
    assertThat(after).as("suspicions after the answer").isNotEmpty();
    assertThat((after.get(0) - answeredAt[0]) / 1_000_000).isBetween(100L, 400L);
  }

  @Test
  void anIdleOrClosedLinkIsNeverSuspected() throws Exception {
    List<Long> suspectedAt = new ArrayList<>();
    onLoop(ctx -> {
      Link idle = link(new LaneOptions(), new Link.Silence(20, () -> suspectedAt.add(System.nanoTime())));
      idle.offer(env(Priority.CRITICAL, 100, "answered"), 60_000);
      wire.remove(0).answer().complete(null);
      Link closed = link(new LaneOptions(), new Link.Silence(20, () -> suspectedAt.add(System.nanoTime())));
      closed.offer(env(Priority.CRITICAL, 100, "failed-by-close"), 60_000);
      closed.close(new MeshException(ErrorCode.NO_HANDLERS, "left"));
      Promise<Void> p = Promise.promise();
      vertx.setTimer(200, t -> p.complete());
      return p.future();
    });
    assertThat(suspectedAt).isEmpty();
  }
}
