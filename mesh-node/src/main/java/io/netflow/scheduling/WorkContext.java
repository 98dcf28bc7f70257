package io.netflow.scheduling;

/** What a {@link WorkHandler} is told of the work it runs. */
public final class WorkContext {

  private final WorkItem item;
  private volatile boolean cancelled;

  public WorkContext(WorkItem item) {
    this.item = item;
  }

  /** The item as claimed (its payload, deadline, class and placement). */
  public WorkItem item() {
    return item;
  }

  /** 1 on the first run; more when an earlier attempt failed or its node died mid-run. */
  public int attempt() {
    return item.attempt();
  }

  /**
   * True once the item was cancelled, or this node lost its lease (another node may run it now):
   * a long handler should check it and stop; its result will not be kept.
   */
  public boolean cancelled() {
    return cancelled;
  }

  void cancel() {
    cancelled = true;
  }
}
