package io.netflow.scheduling;

/**
 * The event-bus addresses of deferred work: dotted lowercase, prefixed {@code netflow.}. Addresses
 * marked <em>local</em> are served on the same node only (sent with {@code localOnly}).
 */
public final class WorkAddresses {

  /**
   * Request to any node: submit deferred work. Body: a work request (JSON, the schema at
   * {@code schemas/work-request.json}); replies with the item's status. For Vert.x apps on the bus.
   */
  public static final String WORK_SUBMIT = "netflow.work.submit";

  /** Request to any node, {@code {"id"}}: the work item's status, or fails NOT_FOUND. */
  public static final String WORK_STATUS = "netflow.work.status";

  /** Request to any node, {@code {"id"}}: cancel the work item; replies with its status. */
  public static final String WORK_CANCEL = "netflow.work.cancel";

  /** Published, {@code {"id", "class"}}: new work was queued (idle nodes look for work at once). */
  public static final String WORK_QUEUED = "netflow.work.queued";

  /**
   * Published: a work item changed (submitted, claimed, requeued, retried, finished): its record as
   * stored, with its revision. Every node journals it, so the queue survives a restart of the mesh.
   */
  public static final String WORK_CHANGED = "netflow.work.changed";

  private WorkAddresses() {
  }
}
