package io.netflow.membership;

/**
 * The event-bus addresses of membership and load: load reports, the mesh view, draining: dotted lowercase, prefixed {@code netflow.}. Addresses
 * marked <em>local</em> are served on the same node only (sent with {@code localOnly}).
 */
public final class MembershipAddresses {

  /** Published: every node's load report, a JSON object (see the load-report shape in the README). */
  public static final String MESH_REPORTS = "netflow.mesh.reports";

  /** Local request, no body: the node's view of the mesh, as served at {@code GET /v1/mesh/nodes}. */
  public static final String MESH_VIEW = "netflow.mesh.view";

  /** Local request, no body: put this node into DRAINING; replies once peers have been told. */
  public static final String NODE_DRAIN = "netflow.node.drain";

  /** Local publish, no body: this node has started draining (every part stops taking new work). */
  public static final String NODE_DRAINING = io.netflow.gateway.protocol.Addresses.NODE_DRAINING;

  /** Local send, no body: publish this node's load report now (its services or topics changed). */
  public static final String NODE_REPORT_NOW = "netflow.node.report-now";

  /** Request, no body, to one node from anywhere: put that node into DRAINING (the drain API). */
  public static String nodeDrain(String nodeId) {
    return "netflow.node." + nodeId + ".drain";
  }

  private MembershipAddresses() {
  }
}
