package io.netflow.scheduling;

/** Where a work item is in its life. */
public enum WorkState {
  /** Waiting for a node to claim it. */
  QUEUED,
  /** Claimed by a node under a lease the node renews; if the lease lapses it is claimed again. */
  RUNNING,
  SUCCEEDED,
  /** Its handler failed on every allowed attempt. */
  FAILED,
  CANCELLED,
  /** A REALTIME item whose deadline passed before any node could run it. */
  EXPIRED;

  public boolean finished() {
    return this != QUEUED && this != RUNNING;
  }
}
