package io.netflow.scheduling;

import io.netflow.gateway.protocol.Priority;

/** How urgent deferred work is. Nodes take REALTIME first, then NORMAL, then BULK. */
public enum WorkClass {
  /** Runs as soon as any node has room, even while the mesh is busy; expires, unrun, past its deadline. */
  REALTIME(Priority.HIGH),
  /** Runs when a node has room. */
  NORMAL(Priority.NORMAL),
  /** Waits while the mesh is busy with gameplay and runs in quiet windows, or when its deadline is near. */
  BULK(Priority.BULK);

  private final Priority lane;

  WorkClass(Priority lane) {
    this.lane = lane;
  }

  /** The lane the work's own messages travel in (the built-in {@code deliver} kind uses it). */
  public Priority lane() {
    return lane;
  }
}
