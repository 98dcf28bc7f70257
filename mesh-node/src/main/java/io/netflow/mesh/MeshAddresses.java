package io.netflow.mesh;

/**
 * The event-bus addresses of the data plane between nodes: dotted lowercase, prefixed {@code netflow.}. Addresses
 * marked <em>local</em> are served on the same node only (sent with {@code localOnly}).
 */
public final class MeshAddresses {

  /**
   * The inbox of one node, one envelope per request: what nodes of releases before {@link #frames}
   * send, and what a node sends a peer that takes no frames.
   */
  public static String inbox(String nodeId) {
    return "netflow.node." + nodeId + ".inbox";
  }

  /** Where one node takes the frames of envelopes its peers' links send it ({@code LinkFrame}). */
  public static String frames(String nodeId) {
    return "netflow.node." + nodeId + ".frames";
  }

  /** Where one node answers whether it remembers a CRITICAL/HIGH request's id, with the remembered answer. */
  public static String recall(String nodeId) {
    return "netflow.node." + nodeId + ".recall";
  }

  /** Where one node takes its peers' topic interest (which topics they subscribe to, and changes). */
  public static String interest(String nodeId) {
    return "netflow.node." + nodeId + ".interest";
  }

  private MeshAddresses() {
  }
}
