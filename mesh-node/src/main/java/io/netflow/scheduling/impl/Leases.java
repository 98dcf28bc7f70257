package io.netflow.scheduling.impl;

import io.netflow.scheduling.WorkItem;
import io.netflow.scheduling.WorkState;
import io.vertx.core.Vertx;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases on running work. This node renews the lease of every item it runs (a third of a lease
 * apart), and stops a handler whose item was cancelled or whose attempt is no longer this node's
 * (its lease lapsed and another node claimed it). When a node leaves the mesh, the items it was
 * running go back to the queue at once instead of when their leases lapse, and the claim cycle
 * looks for work.
 *
 * <p>Called on the scheduler's event loop; the cluster writes run on a worker.
 */
public final class Leases {

  private static final Logger LOG = LoggerFactory.getLogger(Leases.class);

  private final Vertx vertx;
  private final WorkStore store;
  private final String nodeId;
  private final long leaseMs;
  private final WorkRunner runner;
  private final Runnable poll;

  /** @param poll what to do when departed nodes' work was queued again (the claim cycle's poll) */
  public Leases(Vertx vertx, WorkStore store, String nodeId, long leaseMs, WorkRunner runner, Runnable poll) {
    this.vertx = vertx;
    this.store = store;
    this.nodeId = nodeId;
    this.leaseMs = leaseMs;
    this.runner = runner;
    this.poll = poll;
  }

  /** How often {@link #renew} should run. */
  public long renewEveryMs() {
    return Math.max(50, leaseMs / 3);
  }

  /** Extends the lease of every item running here; stops those this node lost or that were cancelled. */
  public void renew() {
    if (runner.count() == 0) {
      return;
    }
    List<WorkRunner.Run> owned = runner.snapshot();
    String self = nodeId;
    long lease = leaseMs;
    vertx.executeBlocking(() -> {
      long now = System.currentTimeMillis();
      for (WorkRunner.Run r : owned) {
        int attempt = r.item().attempt();
        WorkItem after = store.update(r.item().id(), cur ->
          cur.state() == WorkState.RUNNING && self.equals(cur.owner()) && cur.attempt() == attempt
            ? cur.renewed(now, lease) : null);
        if (after == null || after.cancelRequested()) {
          r.stop();
        }
      }
      return null;
    }, false).onFailure(err -> LOG.warn("Renewing work leases failed: {}", err.toString()));
  }

  /** A node left: its running items go back to the queue now rather than when their leases lapse. */
  public void requeueFrom(String node) {
    vertx.executeBlocking(() -> {
      int n = 0;
      for (WorkItem item : store.ownedBy(node)) {
        if (store.update(item.id(), cur -> cur.state() == WorkState.RUNNING && node.equals(cur.owner())
          ? cur.requeued("node " + cur.ownerName() + " left while running it") : null) != null) {
          n++;
        }
      }
      return n;
    }, false).onSuccess(n -> {
      if (n > 0) {
        LOG.info("Requeued {} work item(s) of departed node {}", n, node);
        poll.run();
      }
    });
  }
}
