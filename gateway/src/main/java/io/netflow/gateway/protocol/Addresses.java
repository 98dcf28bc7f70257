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

  private Addresses() {
  }
}
