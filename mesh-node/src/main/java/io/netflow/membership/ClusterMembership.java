package io.netflow.membership;

/**
 * The cluster's member list, as the cluster manager sees it. Membership (who is in the cluster)
 * comes from here; load (how they are doing) comes from their reports.
 */
public interface ClusterMembership {

  /** Told of members joining and leaving, on a cluster-manager thread. */
  interface Listener {
    void memberAdded(String nodeId);

    void memberRemoved(String nodeId);

    /**
     * This node's side of a split cluster merged into the other side: its members dropped their
     * copy of the cluster's maps and handed their entries over, which the cluster does at best
     * effort (a hand-over that fails or times out is dropped).
     */
    default void mergedIntoOtherSide() {
    }
  }

  /** This node's member id. */
  String localNodeId();

  /** Whether {@code nodeId} is a member now. */
  boolean isMember(String nodeId);

  /** The node ids of every member now, this node's among them. */
  java.util.Set<String> members();

  /** How many members the cluster has now. */
  int size();

  /** Where a member's event bus listens; null when the cluster does not know the member (any more). */
  io.vertx.core.Future<io.vertx.core.net.SocketAddress> eventBusAddress(String nodeId);

  /** Whether the cluster lists this node's own clustered consumer of {@code address} (so peers can reach it). */
  io.vertx.core.Future<Boolean> listsOwnConsumer(String address);

  /** Lists every clustered consumer of this node in the cluster again (after a merge lost some). */
  io.vertx.core.Future<Void> republishOwnConsumers();

  /** Starts telling {@code listener} of changes; closing the result stops it. */
  AutoCloseable listen(Listener listener);
}
