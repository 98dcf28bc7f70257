package io.netflow.mesh;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An answer a node gives later (its service still working when the frame's reply left) reaches the
 * sender though the cluster lists none of the sender's consumers at that moment, as happens for a
 * while when a member leaves or clusters merge: it travels as a reply, straight to the sender. Lost,
 * it would have the request time out and be tried again on another host, and a CRITICAL action
 * applied twice (what the client failover test caught when answers went to an address of the sender).
 */
class LaterAnswersTest {

  private static final long ATTEMPT_MS = 8_000;

  private final TestMesh mesh = new TestMesh();

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void anAnswerGivenLaterReachesTheSenderWhileTheClusterListsNoneOfItsConsumers() throws Exception {
    // An attempt longer than the test's own steps take on a slow machine (removing a's entries from
    // the cluster took over a second once on CI): what is tested is the answer's way back, not a timeout.
    java.util.function.UnaryOperator<io.netflow.node.config.NodeConfig> patient = cfg ->
      cfg.set(io.netflow.node.config.NodeKeys.ATTEMPT_TIMEOUT, ATTEMPT_MS);
    NetflowNode a = mesh.start("a", patient);
    NetflowNode b = mesh.start("b", patient);
    AtomicInteger applied = new AtomicInteger();
    CopyOnWriteArrayList<Promise<Buffer>> working = new CopyOnWriteArrayList<>();
    join(b.mesh().host("actions", e -> {
      applied.incrementAndGet();
      Promise<Buffer> p = Promise.promise();
      working.add(p);
      return p.future();
    }));
    mesh.awaitHosts("actions", 1);

    long start = System.nanoTime();
    Future<Reply> reply = a.mesh().request(Envelope.toService("actions").priority(Priority.CRITICAL)
      .timeoutMillis(10_000).payload("move").build());
    TestMesh.await(Duration.ofSeconds(5), "b working on the action", () -> !working.isEmpty());

    // Every entry of a's gone from the cluster's list of consumers while b works.
    List<String> removed = TestMesh.unlistConsumers(b, a.nodeId());
    assertThat(removed).isNotEmpty();
    working.get(0).complete(Buffer.buffer("done"));

    Reply answer = reply.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(answer.body().toString()).isEqualTo("done");
    assertThat(answer.nodeId()).isEqualTo(b.nodeId());
    assertThat(answer.attempts()).as("answered by its first attempt, not after a timeout").isEqualTo(1);
    assertThat(applied).hasValue(1);
    assertThat(tookMs).as("within the attempt timeout").isLessThan(ATTEMPT_MS);
  }
}
