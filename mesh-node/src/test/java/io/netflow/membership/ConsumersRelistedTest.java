package io.netflow.membership;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.multimap.MultiMap;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node whose entries in the cluster's list of event-bus consumers are lost (as a merge after a
 * split can do, with the node running on) lists them again by itself: peers reach its services again.
 */
class ConsumersRelistedTest {

  private final TestMesh mesh = new TestMesh();

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void aNodeWhoseConsumersTheClusterLostListsThemAgain() throws Exception {
    NetflowNode a = mesh.start("a");
    NetflowNode b = mesh.start("b");
    join(b.mesh().host("match", e -> Future.succeededFuture(Buffer.buffer("b"))));
    mesh.awaitHosts("match", 1);
    assertThat(join(a.mesh().request(request())).nodeId()).isEqualTo(b.nodeId());

    // What the merge did in the chaos suite: every entry of b's gone from the cluster's list.
    List<String> removed = TestMesh.unlistConsumers(a, b.nodeId());
    MultiMap<String, HazelcastRegistrationInfo> subs = TestMesh.hazelcast(a).getMultiMap("__vertx.subs");
    assertThat(removed).isNotEmpty();
    assertThat(subs.get(io.netflow.mesh.MeshAddresses.inbox(b.nodeId()))).isEmpty();

    // b finds out within a few report ticks and lists them again: a reaches b's service again.
    TestMesh.await(Duration.ofSeconds(15), "b's inbox listed again",
      () -> !subs.get(io.netflow.mesh.MeshAddresses.inbox(b.nodeId())).isEmpty());
    assertThat(join(a.mesh().request(request())).nodeId()).isEqualTo(b.nodeId());
    assertThat(b.registry().get("netflow.membership.relisted").counter().count()).isGreaterThanOrEqualTo(1);
    assertThat(a.registry().get("netflow.membership.relisted").counter().count()).isZero();
  }

  private static Envelope request() {
    return Envelope.toService("match").priority(Priority.CRITICAL).timeoutMillis(5_000).payload("x").build();
  }
}
