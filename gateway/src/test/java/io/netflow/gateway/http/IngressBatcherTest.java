package io.netflow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.IngressBatch;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The gateway's hand-over of NORMAL, MODEL and BULK requests to the mesh, one message per event-loop turn. */
@ExtendWith(VertxExtension.class)
class IngressBatcherTest {

  private final List<List<String>> batches = new CopyOnWriteArrayList<>();

  @BeforeEach
  void codecs(Vertx vertx) {
    IngressBatch.registerCodecs(vertx.eventBus());
  }

  /** A stand-in for the mesh: takes everything on node-1 but what says "busy". */
  private void mesh(Vertx vertx) {
    vertx.eventBus().<IngressBatch>localConsumer(Addresses.INGRESS_BATCH, m -> {
      List<String> ids = new ArrayList<>();
      List<IngressBatch.Outcome> outcomes = new ArrayList<>();
      for (Envelope e : m.body().envelopes()) {
        ids.add(e.id());
        outcomes.add("busy".equals(e.payload().toString())
          ? IngressBatch.Outcome.refused(new MeshException(ErrorCode.OVERLOADED, "all hosts busy", 1_500))
          : IngressBatch.Outcome.taken("node-1"));
      }
      batches.add(ids);
      m.reply(new IngressBatch.Outcomes(outcomes));
    }).completion().await();
  }

  /** Hands {@code count} requests to the batcher within one turn of one event loop. */
  private static List<Future<String>> oneTurn(Vertx vertx, int count, int max) {
    Context context = vertx.getOrCreateContext();
    Promise<List<Future<String>>> sent = Promise.promise();
    context.runOnContext(v -> {
      IngressBatcher batcher = IngressBatcher.current(vertx, max);
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        answers.add(batcher.accept(Envelope.toService("match").id("e" + i).priority(Priority.NORMAL)
          .payload(i == 2 ? "busy" : "x").build(), 5_000));
      }
      sent.complete(answers);
    });
    List<Future<String>> answers = sent.future().await();
    Future.join(answers).otherwiseEmpty().await();
    return answers;
  }

  @Test
  void requestsReadInOneTurnTravelTogetherAndEachGetsItsOwnOutcome(Vertx vertx) {
    mesh(vertx);
    List<Future<String>> answers = oneTurn(vertx, 5, 64);
    assertThat(batches).containsExactly(List.of("e0", "e1", "e2", "e3", "e4"));
    for (int i = 0; i < 5; i++) {
      if (i == 2) {
        assertThat(answers.get(i).cause()).isInstanceOfSatisfying(MeshException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
          assertThat(e.retryAfterMs()).isEqualTo(1_500);
        });
      } else {
        assertThat(answers.get(i).result()).isEqualTo("node-1");
      }
    }
  }

  @Test
  void aFullBatchGoesAtOnceAndTheRestFollowAtTheEndOfTheTurn(Vertx vertx) {
    mesh(vertx);
    oneTurn(vertx, 5, 2);
    assertThat(batches).containsExactly(List.of("e0", "e1"), List.of("e2", "e3"), List.of("e4"));
  }

  @Test
  void turnsDoNotShareABatch(Vertx vertx) {
    mesh(vertx);
    oneTurn(vertx, 3, 64);
    oneTurn(vertx, 1, 64);
    assertThat(batches).containsExactly(List.of("e0", "e1", "e2"), List.of("e0"));
  }

  @Test
  void withoutAMeshEveryRequestFailsWithItsCode(Vertx vertx) {
    List<Future<String>> answers = oneTurn(vertx, 3, 64);
    assertThat(answers).allSatisfy(f -> assertThat(f.cause()).isInstanceOfSatisfying(MeshException.class,
      e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_HANDLERS)));
  }
}
