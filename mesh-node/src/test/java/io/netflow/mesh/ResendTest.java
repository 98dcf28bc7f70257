package io.netflow.mesh;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A client whose connection died before the answer sends a CRITICAL request again through another
 * node: the copy is answered by the host that handled the first (from memory, or once it finishes),
 * never applied by the other host.
 */
class ResendTest {

  @Test
  void aCopySentThroughAnotherNodeIsAnsweredByTheHostThatRemembersItsId() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("a");
      NetflowNode b = mesh.start("b");
      NetflowNode s1 = mesh.start("s1");
      NetflowNode s2 = mesh.start("s2");
      Map<String, AtomicInteger> applied = new ConcurrentHashMap<>();
      for (NetflowNode s : List.of(s1, s2)) {
        join(s.mesh().host("moves", e -> {
          applied.computeIfAbsent(e.id(), id -> new AtomicInteger()).incrementAndGet();
          return s.vertx().timer(150).map(t -> Buffer.buffer(s.name() + " took " + e.id()));
        }));
      }
      mesh.awaitHosts("moves", 2);

      // Twenty moves through a, each sent again through b while the first is still being handled,
      // and twenty more sent again after they were answered.
      List<Future<Reply>> first = new ArrayList<>();
      List<Future<Reply>> copies = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        first.add(a.mesh().request(move("in-flight-" + i)));
      }
      // Once every first copy is being handled (a copy cannot overtake its first: the first went
      // through a node that, in the case this is for, is gone).
      TestMesh.await(java.time.Duration.ofSeconds(5), "every move handled", () -> applied.size() == 20);
      for (int i = 0; i < 20; i++) {
        copies.add(b.mesh().resend(move("in-flight-" + i)));
      }
      for (int i = 0; i < 20; i++) {
        Reply original = join(first.get(i));
        Reply copy = join(copies.get(i));
        assertThat(copy.body().toString()).isEqualTo(original.body().toString());
        assertThat(copy.nodeId()).isEqualTo(original.nodeId());
      }
      for (int i = 0; i < 20; i++) {
        Reply original = join(a.mesh().request(move("answered-" + i)));
        Reply copy = join(b.mesh().resend(move("answered-" + i)));
        assertThat(copy.body().toString()).isEqualTo(original.body().toString());
      }
      // A copy of a request no host remembers (its first was lost before any host had it) is handled once.
      Reply fresh = join(b.mesh().resend(move("never-seen")));
      assertThat(fresh.body().toString()).endsWith("took never-seen");

      assertThat(applied).hasSize(41);
      assertThat(applied.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
      double recalled = a.registry().get("netflow.routing.recalled").counter().count()
        + b.registry().get("netflow.routing.recalled").counter().count();
      assertThat(recalled).isEqualTo(40);
    }
  }

  private static Envelope move(String id) {
    return Envelope.toService("moves").id(id).priority(Priority.CRITICAL).timeoutMillis(5_000).payload("jump").build();
  }
}
