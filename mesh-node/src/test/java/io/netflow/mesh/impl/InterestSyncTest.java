package io.netflow.mesh.impl;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.membership.ClusterMembership;
import io.netflow.node.TestMesh;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two nodes' interest sync on one Vert.x, with the cluster's member list in the test's hands. */
class InterestSyncTest {

  /** A member list both nodes share; the test says who joins and leaves, and whom each node is told of. */
  private static final class Members {
    final Set<String> ids = ConcurrentHashMap.newKeySet();
    final java.util.Map<String, List<ClusterMembership.Listener>> listeners = new ConcurrentHashMap<>();

    /** Tells {@code node}'s listeners that {@code other} joined ({@code true}) or left. */
    void tell(String node, String other, boolean joined) {
      listeners.getOrDefault(node, List.of()).forEach(l -> {
        if (joined) {
          l.memberAdded(other);
        } else {
          l.memberRemoved(other);
        }
      });
    }

    ClusterMembership viewOf(String self) {
      return new ClusterMembership() {
        @Override
        public String localNodeId() {
          return self;
        }

        @Override
        public boolean isMember(String nodeId) {
          return ids.contains(nodeId);
        }

        @Override
        public Set<String> members() {
          return Set.copyOf(ids);
        }

        @Override
        public int size() {
          return ids.size();
        }

        @Override
        public Future<SocketAddress> eventBusAddress(String nodeId) {
          return Future.succeededFuture(null);
        }

        @Override
        public Future<Boolean> listsOwnConsumer(String address) {
          return Future.succeededFuture(true);
        }

        @Override
        public Future<Void> republishOwnConsumers() {
          return Future.succeededFuture();
        }

        @Override
        public AutoCloseable listen(Listener listener) {
          listeners.computeIfAbsent(self, s -> new CopyOnWriteArrayList<>()).add(listener);
          return () -> listeners.get(self).remove(listener);
        }
      };
    }
  }

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    join(vertx.close());
  }

  /**
   * A member that hung past the failure detector and resumes sees every other member leave, and
   * then, once the split heals, join again; its peers see the same of it. Neither restarts its data
   * plane, so neither says hello as a starting node does: the lists dropped when the other left
   * must come back when it is a member again (a chaos run's work item failed ten times with "nobody
   * subscribes" on a node that had hung, its subscriber on the gateway all along).
   */
  @Test
  void aPeersTopicsComeBackWhenItIsAMemberAgainAfterItWasRemoved() throws Exception {
    Members members = new Members();
    members.ids.addAll(List.of("gw", "x"));
    TopicInterest gwTable = new TopicInterest();
    TopicInterest xTable = new TopicInterest();
    InterestSync gw = new InterestSync(vertx, "gw", members.viewOf("gw"), gwTable, 1_000, n -> { });
    InterestSync x = new InterestSync(vertx, "x", members.viewOf("x"), xTable, 1_000, n -> { });
    Context gwLoop = vertx.getOrCreateContext();
    Context xLoop = vertx.getOrCreateContext();
    join(on(gwLoop, gw::start));
    join(on(xLoop, x::start));
    join(on(gwLoop, () -> gw.subscribe("chaos.effects")));
    assertThat(xTable.nodes("chaos.effects")).containsExactly("gw");

    // The split: each side removes the other.
    members.ids.remove("x");
    members.tell("gw", "x", false);
    members.tell("x", "gw", false);
    TestMesh.await(Duration.ofSeconds(5), "x forgot gw's topics", () -> xTable.nodes("chaos.effects").length == 0);

    // The merge: each side is told the other joined.
    members.ids.add("x");
    members.tell("gw", "x", true);
    members.tell("x", "gw", true);
    TestMesh.await(Duration.ofSeconds(5), "x knows gw's topics again",
      () -> List.of(xTable.nodes("chaos.effects")).equals(List.of("gw")));
    join(on(xLoop, () -> x.subscribe("x.topic")));
    assertThat(gwTable.nodes("x.topic")).containsExactly("x");
  }

  private static <T> Future<T> on(Context loop, Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> action.get().onComplete(done));
    return done.future();
  }
}
