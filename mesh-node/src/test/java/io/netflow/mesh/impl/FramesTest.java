package io.netflow.mesh.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.mesh.MeshAddresses;
import io.netflow.mesh.MeshOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wire under the links: what a shard sends a node in one turn travels as one frame, and every
 * envelope still gets its own answer, failure or timeout, at once or later.
 */
class FramesTest {

  private Vertx vertx;
  private Context sender;
  private FrameSender wire;
  private Inbox inbox;
  private final AtomicInteger frames = new AtomicInteger();
  private final AtomicInteger messages = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(Envelope.class, new io.netflow.gateway.protocol.EnvelopeCodec());
    vertx.eventBus().registerDefaultCodec(LinkFrame.class, new LinkFrame.Codec());
    vertx.eventBus().registerDefaultCodec(LinkAnswers.class, new LinkAnswers.Codec());
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      messages.incrementAndGet();
      if (delivery.message().address().equals(MeshAddresses.frames("b"))) {
        frames.incrementAndGet();
      }
      delivery.next();
    });
    Context receiver = vertx.getOrCreateContext();
    inbox = new Inbox(vertx, new MeshOptions(), new SimpleMeterRegistry());
    FrameReceiver frameReceiver = new FrameReceiver(receiver, inbox);
    await(on(receiver, () -> vertx.eventBus().consumer(MeshAddresses.frames("b"), frameReceiver::onFrame).completion()));
    sender = vertx.getOrCreateContext();
    wire = new FrameSender(vertx, sender);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void whatOneTurnSendsTravelsAsOneFrameAndEachEnvelopeGetsItsOwnAnswerAtOnceOrLater() throws Exception {
    inbox.host("echo", e -> Future.succeededFuture(e.payload()));
    inbox.host("slow", e -> {
      Promise<Buffer> p = Promise.promise();
      // Answered in two turns, far apart: the frame's answers come back in two replies after its own.
      vertx.setTimer(e.payload().toString().equals("m0") ? 60 : 200, t -> p.complete(Buffer.buffer("late " + e.payload())));
      return p.future();
    });
    inbox.host("busy", e -> Future.failedFuture(new MeshException(ErrorCode.OVERLOADED, "too busy", 70)));
    List<Future<Buffer>> answers = await(on(sender, () -> {
      List<Future<Buffer>> sent = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        sent.add(wire.send("b", request(i % 5 == 0 ? "slow" : "echo", "m" + i), 5_000));
      }
      sent.add(wire.send("b", request("busy", "x"), 5_000));
      return Future.succeededFuture(sent);
    }));
    for (int i = 0; i < 10; i++) {
      Buffer body = await(answers.get(i));
      assertThat(body.toString()).isEqualTo((i % 5 == 0 ? "late " : "") + "m" + i);
    }
    MeshException busy = failure(answers.get(10));
    assertThat(busy.code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(busy.retryAfterMs()).isEqualTo(70);
    assertThat(busy.getMessage()).isEqualTo("too busy");
    // Eleven envelopes, one frame (no address of this side is needed for the answers given later).
    assertThat(frames).hasValue(1);
    assertThat(await(on(sender, () -> Future.succeededFuture(wire.unsettled())))).isZero();
  }

  @Test
  void aQuickAnswerWaitsInTheFramesReplyExceptForCriticalWhichNeverWaitsForAnother() throws Exception {
    inbox.host("quick", e -> {
      Promise<Buffer> p = Promise.promise();
      vertx.setTimer(2, t -> p.complete(e.payload()));
      return p.future();
    });
    // NORMAL: held for the answer (under FrameReceiver.HOLD_MS), one request and its reply.
    messages.set(0);
    Future<Buffer> normal = await(on(sender, () -> Future.succeededFuture(wire.send("b", request("quick", "n"), 5_000))));
    assertThat(await(normal).toString()).isEqualTo("n");
    assertThat(messages).as("the frame and its reply").hasValue(2);
    // CRITICAL: answered "pending" at once, then the rest of the conversation (ready, answer).
    messages.set(0);
    Future<Buffer> critical = await(on(sender, () -> Future.succeededFuture(wire.send("b",
      Envelope.toService("quick").priority(io.netflow.gateway.protocol.Priority.CRITICAL).payload("c").timeoutMillis(10_000)
        .build(), 5_000))));
    assertThat(await(critical).toString()).isEqualTo("c");
    assertThat(messages).as("the frame, its reply, the sender's ready and the answer").hasValue(4);
  }

  @Test
  void anEnvelopeStillUnansweredTimesOutAtItsOwnTimeoutWhileTheOthersInItsFrameAreAnswered() throws Exception {
    inbox.host("echo", e -> Future.succeededFuture(e.payload()));
    inbox.host("never", e -> Promise.<Buffer>promise().future());
    long start = System.nanoTime();
    List<Future<Buffer>> answers = await(on(sender, () -> Future.succeededFuture(List.of(
      wire.send("b", request("never", "a"), 200),
      wire.send("b", request("echo", "b"), 5_000),
      wire.send("b", request("never", "c"), 400)))));
    assertThat(await(answers.get(1)).toString()).isEqualTo("b");
    assertThat(failure(answers.get(0)).code()).isEqualTo(ErrorCode.TIMEOUT);
    long first = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(failure(answers.get(2)).code()).isEqualTo(ErrorCode.TIMEOUT);
    long second = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // Never early; late only by what a loaded machine adds.
    assertThat(first).isBetween(190L, 2_000L);
    assertThat(second).isBetween(390L, 4_000L);
    assertThat(first).isLessThan(second);
    assertThat(frames).hasValue(1);
    assertThat(await(on(sender, () -> Future.succeededFuture(wire.unsettled())))).isZero();
  }

  @Test
  void aFrameToANodeWithNoInboxFailsEachOfItsEnvelopesNoHandlers() throws Exception {
    List<Future<Buffer>> answers = await(on(sender, () -> Future.succeededFuture(List.of(
      wire.send("gone", request("echo", "a"), 1_000), wire.send("gone", request("echo", "b"), 1_000)))));
    for (Future<Buffer> answer : answers) {
      assertThat(failure(answer).code()).isEqualTo(ErrorCode.NO_HANDLERS);
    }
    assertThat(await(on(sender, () -> Future.succeededFuture(wire.unsettled())))).isZero();
  }

  @Test
  void aNodeOfAReleaseBeforeFramesIsSentEachEnvelopeOnItsOwnAndAnswersEach() throws Exception {
    Inbox old = new Inbox(vertx, new MeshOptions(), new SimpleMeterRegistry());
    old.host("echo", e -> Future.succeededFuture(e.payload()));
    Context oldLoop = vertx.getOrCreateContext();
    FrameReceiver oldNode = new FrameReceiver(oldLoop, old);
    AtomicInteger oneByOne = new AtomicInteger();
    await(on(oldLoop, () -> vertx.eventBus().<Envelope>consumer(MeshAddresses.inbox("old"), m -> {
      oneByOne.incrementAndGet();
      oldNode.onEnvelope(m);
    }).completion()));
    List<Future<Buffer>> answers = await(on(sender, () -> Future.succeededFuture(List.of(
      wire.send("old", request("echo", "a"), 1_000), wire.send("old", request("echo", "b"), 1_000)))));
    assertThat(await(answers.get(0)).toString()).isEqualTo("a");
    assertThat(await(answers.get(1)).toString()).isEqualTo("b");
    assertThat(oneByOne).hasValue(2);
  }

  @Test
  void aReplyThatCannotBeReadFailsEveryEnvelopeOfItsFrameAtOnce() throws Exception {
    await(on(sender, () -> vertx.eventBus().consumer(MeshAddresses.frames("odd"), m -> m.reply("not answers")).completion()));
    long start = System.nanoTime();
    List<Future<Buffer>> answers = await(on(sender, () -> Future.succeededFuture(List.of(
      wire.send("odd", request("echo", "a"), 30_000), wire.send("odd", request("echo", "b"), 30_000)))));
    for (Future<Buffer> answer : answers) {
      assertThat(failure(answer).code()).isEqualTo(ErrorCode.INTERNAL);
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    assertThat(await(on(sender, () -> Future.succeededFuture(wire.unsettled())))).isZero();
  }

  @Test
  void onTheWireOneCorruptEnvelopeIsRefusedMalformedAndTheOthersOfItsFrameAreRead() {
    LinkFrame.Codec codec = new LinkFrame.Codec();
    Buffer wireForm = Buffer.buffer();
    codec.encodeToWire(wireForm, new LinkFrame(
      List.of(new LinkFrame.Item(7, request("echo", "first")), new LinkFrame.Item(8, request("echo", "second")))));
    // The second item's envelope starts after the header (1 + 4) and the first item (8 + 4 + its
    // length), past its own sequence number and length: spoil its version byte.
    int firstLength = wireForm.getInt(5 + 8);
    int secondEnvelope = 5 + 12 + firstLength + 12;
    wireForm.setByte(secondEnvelope, (byte) 99);
    LinkFrame read = codec.decodeFromWire(0, wireForm);
    assertThat(read.items()).hasSize(2);
    assertThat(read.items().get(0).seq()).isEqualTo(7);
    assertThat(read.items().get(0).envelope().payload().toString()).isEqualTo("first");
    assertThat(read.items().get(1).seq()).isEqualTo(8);
    assertThat(read.items().get(1).unreadable().code()).isEqualTo(ErrorCode.MALFORMED);
    // A frame cut short is refused whole, with its code.
    assertThatThrownBy(() -> codec.decodeFromWire(0, wireForm.getBuffer(0, wireForm.length() - 3)))
      .isInstanceOfSatisfying(MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
    assertThatThrownBy(() -> codec.decodeFromWire(0, Buffer.buffer().appendByte((byte) 1).appendInt(-5)))
      .isInstanceOfSatisfying(MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
  }

  @Test
  void answersKeepTheirBodiesCodesAndRetryHintsOnTheWire() {
    LinkAnswers.Codec codec = new LinkAnswers.Codec();
    Buffer wireForm = Buffer.buffer();
    codec.encodeToWire(wireForm, new LinkAnswers(List.of(
      LinkAnswers.Answer.of(1, Future.succeededFuture(Buffer.buffer("body"))),
      LinkAnswers.Answer.of(2, Future.failedFuture(new MeshException(ErrorCode.OVERLOADED, "full", 250))),
      LinkAnswers.Answer.pending(3),
      LinkAnswers.Answer.of(4, Future.succeededFuture(null)))));
    List<LinkAnswers.Answer> read = codec.decodeFromWire(0, wireForm).answers();
    assertThat(read).extracting(LinkAnswers.Answer::seq).containsExactly(1L, 2L, 3L, 4L);
    assertThat(read.get(3).outcome().succeeded()).isTrue();
    assertThat(read.get(3).outcome().result()).isNull();
    assertThat(read.get(0).outcome().result().toString()).isEqualTo("body");
    MeshException failed = MeshException.of(read.get(1).outcome().cause());
    assertThat(failed.code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(failed.retryAfterMs()).isEqualTo(250);
    assertThat(read.get(2).isPending()).isTrue();
    // Cut short: read as unreadable (the event bus reads a reply before the requester sees it).
    assertThat(codec.decodeFromWire(0, wireForm.getBuffer(0, wireForm.length() - 30)).unreadable()).isNotBlank();
    assertThat(read.get(0).outcome().succeeded()).isTrue();
  }

  private static Envelope request(String service, String payload) {
    return Envelope.toService(service).payload(payload).timeoutMillis(10_000).build();
  }

  private static <T> Future<T> on(Context context, java.util.function.Supplier<Future<T>> work) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(p));
    return p.future();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static MeshException failure(Future<?> f) throws Exception {
    CompletableFuture<Throwable> cause = new CompletableFuture<>();
    f.onComplete(ar -> cause.complete(ar.failed() ? ar.cause() : null));
    Throwable t = cause.get(10, TimeUnit.SECONDS);
    assertThat(t).as("a failure").isNotNull();
    return MeshException.of(t);
  }
}
