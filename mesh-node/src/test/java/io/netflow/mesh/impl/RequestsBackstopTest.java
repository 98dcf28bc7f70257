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
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The backstop: a request whose attempt nothing ever answers (a transport that loses it, which
 * would be a bug: every real attempt is bounded by the deadline) still ends, DEADLINE_EXCEEDED, a
 * little after its deadline, and is counted.
 */
class RequestsBackstopTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRequestNothingAnswersEndsDeadlineExceededSoonAfterItsDeadline() throws Exception {
    MeshView view = new MeshView("self", 2_000);
    NodeDescriptor b = new NodeDescriptor("b", "n-b", Role.EDGE, "local", 1.0, "http://127.0.0.1:1", 1024, 1024, 0);
    view.accept(new LoadReport(b, 1, System.currentTimeMillis(), NodeState.UP, new LoadSample(0.1, 10, 100, 0),
      new TrafficLoad(List.of("svc"), 0, 0, 100, false, new JsonObject(), new JsonObject())));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Requests.Transport losesIt = (node, e) -> Promise.<Buffer>promise().future();
    Requests requests = new Requests(vertx, new MeshOptions(), new Router(view, new RoutingOptions(), "local"), losesIt,
      (node, id, timeoutMs, fence) -> Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "no answer kept")), id -> id,
      registry);
    Envelope e = Envelope.toService("svc").priority(Priority.CRITICAL).timeoutMillis(300).payload("x").build();

    CompletableFuture<Reply> answer = new CompletableFuture<>();
    long start = System.nanoTime();
    vertx.getOrCreateContext().runOnContext(v -> requests.request(e).onComplete(ar -> {
      if (ar.succeeded()) {
        answer.complete(ar.result());
      } else {
        answer.completeExceptionally(ar.cause());
      }
    }));
    ExecutionException ended = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
      () -> answer.get(10, TimeUnit.SECONDS));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(MeshException.of(ended.getCause()).code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
    // Its deadline (300 ms), the grace (1 s), and at most one sweep (1 s) more, with room for a slow machine.
    assertThat(tookMs).isBetween(1_300L, 5_000L);
    assertThat(registry.get("netflow.routing.expired").counter().count()).isEqualTo(1);
  }
}
