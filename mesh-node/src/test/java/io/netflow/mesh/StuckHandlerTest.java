package io.netflow.mesh;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A service handler that never answers cannot hold a node's admission or its memory past the deadline. */
class StuckHandlerTest {

  @Test
  void aHandlerThatNeverAnswersGivesBackItsPermitAndDedupeEntryAtTheDeadline() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("a");
      NetflowNode b = mesh.start("b");
      AtomicInteger calls = new AtomicInteger();
      join(b.mesh().host("stuck", e -> {
        calls.incrementAndGet();
        return Promise.<Buffer>promise().future();
      }));
      mesh.awaitHosts("stuck", 1);

      List<Future<Reply>> requests = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        requests.add(a.mesh().request(Envelope.toService("stuck").priority(Priority.NORMAL).timeoutMillis(400)
          .payload("x").build()));
      }
      for (Future<Reply> r : requests) {
        Throwable failure = r.toCompletionStage().toCompletableFuture().handle((ok, err) -> err).get();
        assertThat(MeshException.of(failure).code()).isIn(ErrorCode.TIMEOUT, ErrorCode.DEADLINE_EXCEEDED);
      }
      // Every permit is back: nothing is in flight on b, and each request was counted as timed out there.
      TestMesh.await(Duration.ofSeconds(5), "b's admission empty", () -> gauge(b, "netflow.admission.inflight") == 0);
      assertThat(b.registry().get("netflow.inbox.timeouts").counter().count()).isEqualTo(calls.get());

      // A CRITICAL id whose first handling timed out is handled again on retry, not answered from a
      // stuck entry: its de-duplication entry went with its deadline.
      Envelope once = Envelope.toService("stuck").id("player-move-1").priority(Priority.CRITICAL).timeoutMillis(300)
        .payload("jump").build();
      int before = calls.get();
      join(b.mesh().request(once).otherwiseEmpty());
      join(b.mesh().request(Envelope.toService("stuck").id("player-move-1").priority(Priority.CRITICAL)
        .timeoutMillis(300).payload("jump").build()).otherwiseEmpty());
      assertThat(calls.get()).isEqualTo(before + 2);
      assertThat(gauge(b, "netflow.inbox.dedupe.bytes")).isZero();
    }
  }

  private static double gauge(NetflowNode node, String name) {
    return node.registry().get(name).gauge().value();
  }
}
