package io.netflow.membership.impl;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.netflow.membership.ClusterMembership;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.impl.SubsMapHelper;
import java.util.List;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Membership read from Hazelcast. Ids are Vert.x node ids ({@code ClusterManager.getNodeId()}),
 * which Vert.x's Hazelcast cluster manager keeps as a member attribute, not the member UUID.
 *
 * <p>A separate Hazelcast listener is used because the cluster manager's own node listener
 * slot belongs to Vert.x's event bus.
 */
public final class HazelcastMembership implements ClusterMembership {

  /** The member attribute where vertx-hazelcast keeps the Vert.x node id. */
  static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final io.vertx.core.Vertx vertx;
  private final ClusterManager clusterManager;
  private final HazelcastInstance hazelcast;

  public HazelcastMembership(io.vertx.core.Vertx vertx, HazelcastClusterManager clusterManager) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.hazelcast = clusterManager.getHazelcastInstance();
  }

  @Override
  public Future<Boolean> listsOwnConsumer(String address) {
    Promise<List<RegistrationInfo>> registrations = Promise.promise();
    clusterManager.getRegistrations(address, registrations);
    String self = clusterManager.getNodeId();
    return registrations.future().map(list -> list.stream().anyMatch(r -> !r.localOnly() && self.equals(r.nodeId())));
  }

  /**
   * Lists this node's clustered consumers again, as vertx-hazelcast itself does after a member is
   * removed ({@code SubsMapHelper.republishOwnSubs}), which its cluster manager does not expose: read
   * here through its field. When a split cluster merges, the merging side's view of who left can
   * remove a surviving node's entries after that node last republished them (seen in the chaos
   * suite: two of four nodes hung, merged back, and a third was left unreachable by name).
   */
  @Override
  public Future<Void> republishOwnConsumers() {
    return vertx.executeBlocking(() -> {
      java.lang.reflect.Field field = HazelcastClusterManager.class.getDeclaredField("subsMapHelper");
      field.setAccessible(true);
      ((SubsMapHelper) field.get(clusterManager)).republishOwnSubs();
      return null;
    }, false);
  }

  @Override
  public Future<SocketAddress> eventBusAddress(String nodeId) {
    Promise<NodeInfo> info = Promise.promise();
    clusterManager.getNodeInfo(nodeId, info);
    return info.future().map(i -> i == null ? null : SocketAddress.inetSocketAddress(i.port(), i.host()));
  }

  @Override
  public String localNodeId() {
    return nodeId(hazelcast.getCluster().getLocalMember());
  }

  @Override
  public boolean isMember(String nodeId) {
    for (Member m : hazelcast.getCluster().getMembers()) {
      if (nodeId.equals(nodeId(m))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Set<String> members() {
    if (!hazelcast.getLifecycleService().isRunning()) {
      return Set.of();
    }
    Set<String> ids = new HashSet<>();
    for (Member m : hazelcast.getCluster().getMembers()) {
      ids.add(nodeId(m));
    }
    return ids;
  }

  @Override
  public int size() {
    return hazelcast.getLifecycleService().isRunning() ? hazelcast.getCluster().getMembers().size() : 0;
  }

  @Override
  public AutoCloseable listen(Listener listener) {
    UUID id = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        listener.memberAdded(nodeId(event.getMember()));
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        listener.memberRemoved(nodeId(event.getMember()));
      }
    });
    UUID lifecycle = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        listener.mergedIntoOtherSide();
      }
    });
    return () -> {
      if (hazelcast.getLifecycleService().isRunning()) {
        hazelcast.getCluster().removeMembershipListener(id);
      }
      hazelcast.getLifecycleService().removeLifecycleListener(lifecycle);
    };
  }

  private static String nodeId(Member member) {
    String id = member.getAttribute(NODE_ID_ATTRIBUTE);
    return id != null ? id : member.getUuid().toString();
  }
}
