package io.netflow.mesh.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.NodeState;
import io.netflow.gateway.protocol.Priority;
import io.netflow.gateway.protocol.Role;
import io.netflow.load.LoadSample;
import io.netflow.load.TrafficLoad;
import io.netflow.membership.LoadReport;
import io.netflow.membership.MeshView;
import io.netflow.membership.NodeDescriptor;
import io.netflow.mesh.MeshOptions;
import io.netflow.mesh.Reply;
import io.netflow.routing.Router;
import io.netflow.routing.RoutingOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a CRITICAL request goes when its host may have it but has not answered. A copy sent again
 * that no host answers with what it remembers: a host
 * that did not answer at all (its event loop held up, the first copy perhaps still unread in its
 * socket) may yet apply the first; the copy goes to it, never to a host that said it does not
 * remember the id (ClientFailoverIT saw a copy applied twice that way, with a test JVM's event loop
 * blocked for 2.1 s).
 */
class ResendRoutingTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void host(MeshView view, String id) {
    NodeDescriptor n = new NodeDescriptor(id, id, Role.EDGE, "local", 1.0, "http://127.0.0.1:1", 1024, 1024, 0);
    view.accept(new LoadReport(n, 1, System.currentTimeMillis(), NodeState.UP, new LoadSample(0.1, 10, 100, 0),
      new TrafficLoad(List.of("moves"), 0, 0, 100, false, new JsonObject(), new JsonObject())));
  }

  private MeshView view;

  /** Routing over three hosts of "moves", s1 to s3, with this transport and recall. */
  private Requests requests(Requests.Transport transport, Requests.Recall recall) {
    view = new MeshView("self", 2_000);
    for (String h : List.of("s1", "s2", "s3")) {
      host(view, h);
    }
    return new Requests(vertx, new MeshOptions(), new Router(view, new RoutingOptions(), "local"), transport, recall,
      id -> id, new SimpleMeterRegistry());
  }

  /** Runs {@code call} on an event loop; its outcome as a CompletableFuture. */
  private CompletableFuture<Reply> on(java.util.function.Supplier<Future<Reply>> call) {
    CompletableFuture<Reply> answer = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        answer.complete(ar.result());
      } else {
        answer.completeExceptionally(ar.cause());
      }
    }));
    return answer;
  }

  /** Resends a copy with {@code silent} not answering recalls and the others not remembering it; returns where it went. */
  private List<String> resend(Set<String> silent, boolean transportFails) throws Exception {
    List<String> sentTo = new CopyOnWriteArrayList<>();
    Requests.Transport transport = (node, e) -> {
      sentTo.add(node);
      return transportFails ? Future.failedFuture(new MeshException(ErrorCode.TIMEOUT, "no answer"))
        : Future.succeededFuture(Buffer.buffer(node + " took " + e.id()));
    };
    Requests.Recall recall = (node, id, timeoutMs) -> Future.failedFuture(silent.contains(node)
      ? new MeshException(ErrorCode.TIMEOUT, "no answer in time") : new MeshException(ErrorCode.NOT_FOUND, "not kept"));
    Requests requests = requests(transport, recall);
    Envelope copy = Envelope.toService("moves").id("action-121").priority(Priority.CRITICAL).timeoutMillis(2_000)
      .payload("jump").build();
    try {
      on(() -> requests.resend(copy)).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      MeshException refused = MeshException.of(e.getCause());
      assertThat(refused.code()).as("refused, to be sent again").isEqualTo(ErrorCode.NOT_READY);
      assertThat(refused.retryAfterMs()).isPositive();
    }
    return sentTo;
  }

  @Test
  void aCopyGoesOnlyToAHostThatDidNotSayItForgotTheId() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertThat(resend(Set.of("s2"), false)).containsExactly("s2");
    }
  }

  @Test
  void aCopyIsRefusedRatherThanSentToAHostThatForgotItWhenTheSilentOneFailsAgain() throws Exception {
    assertThat(resend(Set.of("s2"), true)).containsExactly("s2");
  }

  /**
   * A request whose first host times out (held up, and applying it late) is answered from that
   * host's memory, not sent on to another host to be applied again; one the slow host does not
   * remember goes on as before.
   */
  @Test
  void aTimedOutCriticalRequestIsAskedOfItsHostBeforeItGoesElsewhere() throws Exception {
    for (boolean remembers : List.of(true, false)) {
      List<String> sentTo = new CopyOnWriteArrayList<>();
      Requests.Transport transport = (node, e) -> {
        sentTo.add(node);
        return sentTo.size() == 1 ? Future.failedFuture(new MeshException(ErrorCode.TIMEOUT, "no answer in time"))
          : Future.succeededFuture(Buffer.buffer(node + " took " + e.id()));
      };
      Requests.Recall recall = (node, id, timeoutMs) -> remembers && node.equals(sentTo.get(0))
        ? Future.succeededFuture(Buffer.buffer(node + " took " + id + " late"))
        : Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "not kept"));
      Requests requests = requests(transport, recall);
      Envelope move = Envelope.toService("moves").id("action-116").priority(Priority.CRITICAL).timeoutMillis(5_000)
        .payload("jump").build();
      Reply reply = on(() -> requests.request(move)).get(10, TimeUnit.SECONDS);
      if (remembers) {
        assertThat(sentTo).as("sent once").hasSize(1);
        assertThat(reply.body().toString()).isEqualTo(sentTo.get(0) + " took action-116 late");
      } else {
        assertThat(sentTo).as("sent on to another host").hasSize(2).doesNotHaveDuplicates();
        assertThat(reply.nodeId()).isEqualTo(sentTo.get(1));
      }
    }
  }

  /** A host found refusing connections (its process gone) is not asked: the request goes on at once. */
  @Test
  void aTimedOutRequestToAHostKnownGoneGoesOnWithoutAsking() throws Exception {
    List<String> sentTo = new CopyOnWriteArrayList<>();
    List<String> asked = new CopyOnWriteArrayList<>();
    Requests requests = requests((node, e) -> {
      sentTo.add(node);
      if (sentTo.size() == 1) {
        view.markUnreachable(node);
        return Future.failedFuture(new MeshException(ErrorCode.TIMEOUT, "no answer in time"));
      }
      return Future.succeededFuture(Buffer.buffer(node + " took " + e.id()));
    }, (node, id, timeoutMs) -> {
      asked.add(node);
      return Future.succeededFuture(Buffer.buffer("remembered"));
    });
    Envelope move = Envelope.toService("moves").id("after-a-kill").priority(Priority.CRITICAL).timeoutMillis(5_000)
      .payload("jump").build();
    Reply reply = on(() -> requests.request(move)).get(10, TimeUnit.SECONDS);
    assertThat(asked).isEmpty();
    assertThat(sentTo).hasSize(2).doesNotHaveDuplicates();
    assertThat(reply.nodeId()).isEqualTo(sentTo.get(1));
  }

  @Test
  void aCopyNoHostRemembersGoesAnywhere() throws Exception {
    assertThat(resend(Set.of(), false)).hasSize(1);
    assertThat(resend(Set.of("s1", "s2", "s3"), false)).hasSize(1);
  }
}
