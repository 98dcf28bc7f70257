package io.netflow.gateway.protocol;

/**
 * Every event-bus address NetFlow uses: dotted lowercase, prefixed {@code netflow.}.
 *
 * <p>Addresses marked <em>local</em> are served by a consumer on the same node only and must be
 * sent with {@link io.vertx.core.eventbus.DeliveryOptions#setLocalOnly(boolean) localOnly}; they
 * never cross the cluster. Only addresses meant for browsers may be let through a SockJS bridge.
 */
public final class Addresses {

  /** Published: every node's load report, a JSON object (see the load-report shape in the README). */
  public static final String MESH_REPORTS = "netflow.mesh.reports";

  /** Local request, no body: the node's view of the mesh, as served at {@code GET /v1/mesh/nodes}. */
  public static final String MESH_VIEW = "netflow.mesh.view";

  /** Local request, no body: put this node into DRAINING; replies once peers have been told. */
  public static final String NODE_DRAIN = "netflow.node.drain";

  /** Local publish, no body: this node has started draining (every part stops taking new work). */
  public static final String NODE_DRAINING = "netflow.node.draining";

  /** Local send, no body: publish this node's load report now (its services or topics changed). */
  public static final String NODE_REPORT_NOW = "netflow.node.report-now";

  /**
   * Request to any node: route an envelope to a service. Body: the payload as a Buffer; the
   * envelope's fields in the {@link Headers}. Replies with the service's reply (a Buffer), whose
   * {@link Headers#NODE} header names the node that served it. For Vert.x apps on the clustered bus.
   */
  public static final String INGRESS = "netflow.ingress";

  /**
   * Local request: an {@link IngressBatch} of NORMAL, MODEL or BULK requests from this node's
   * gateway, each answered as soon as a node has taken it; replies with {@link IngressBatch.Outcomes}.
   */
  public static final String INGRESS_BATCH = "netflow.ingress.batch";

  /** Like {@link #INGRESS}, for publishing to a topic; replies once every subscribing node has it. */
  public static final String PUBLISH = "netflow.publish";

  /** Published: a new model version's manifest (JSON), announced by the node it was published on. */
  public static final String MODEL_ANNOUNCE = "netflow.models.announce";

  /** Published: which chunks of a version a node holds, and its rollout state. */
  public static final String MODEL_HOLDINGS = "netflow.models.holdings";

  /** Published: the version every node should run ({@code {"name", "version"}}), after a publish or a rollback. */
  public static final String MODEL_DESIRED = "netflow.models.desired";

  /** Published: roll {@code name} back to the version before the active one ({@code {"name", "node"?}}). */
  public static final String MODEL_ROLLBACK = "netflow.models.rollback";

  /**
   * Local publish on every node: a model version became active here
   * ({@code {"name", "version", "path"}}); applications read the file at {@code path}.
   */
  public static final String MODEL_ACTIVATED = "netflow.models.activated";

  /**
   * Local request {@code {"topic"}}: one more of the gateway's clients (a WebSocket, a bridge socket)
   * subscribes to the topic. The node subscribes once per topic and republishes every publication on
   * {@link #topicFeed(String)}, locally. Replies once every node of the mesh knows of the
   * subscription; fails LIMIT_REACHED past {@code mesh.max-topics}.
   */
  public static final String SUBSCRIBE = "netflow.subscribe";

  /**
   * Local send {@code {"topic"}}: one of the gateway's clients no longer subscribes to the topic
   * (it unsubscribed or went away). When the last one goes, the node unsubscribes.
   */
  public static final String UNSUBSCRIBE = "netflow.unsubscribe";

  /** Local publish: publications on {@code topic} (payload as UTF-8 text, envelope fields in {@link Headers}). */
  public static String topicFeed(String topic) {
    return "netflow.topic." + topic;
  }

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

  /** Published: the reward multipliers planned for coming windows ({@code {"windows": [...]}}). */
  public static final String REWARDS_SCHEDULE = "netflow.rewards.schedule";

  /** Published: a contribution was credited (the ledger record); every node journals it. */
  public static final String REWARDS_CREDITED = "netflow.rewards.credited";

  /** Request, no body, to one node from anywhere: put that node into DRAINING (the drain API). */
  public static String nodeDrain(String nodeId) {
    return "netflow.node." + nodeId + ".drain";
  }

  /** Where one node takes its peers' topic interest (which topics they subscribe to, and changes). */
  public static String interest(String nodeId) {
    return "netflow.node." + nodeId + ".interest";
  }

  /** The inbox of one node: envelopes routed to it by its peers. */
  public static String inbox(String nodeId) {
    return "netflow.node." + nodeId + ".inbox";
  }

  private Addresses() {
  }
}
