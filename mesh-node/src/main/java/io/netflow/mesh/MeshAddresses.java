package io.netflow.mesh;

/**
 * The event-bus addresses of the data plane between nodes: dotted lowercase, prefixed {@code netflow.}. Addresses
 * marked <em>local</em> are served on the same node only (sent with {@code localOnly}).
 */
public final class MeshAddresses {

  /** The inbox of one node: the frames of envelopes its peers' links send it ({@code LinkFrame}). */
  public static String inbox(String nodeId) {
    return "netflow.node." + nodeId + ".inbox";
  }

  /**
   * Where one shard of a node's data plane takes the answers its peers give later to what its links
   * sent them ({@code LinkAnswers}).
   */
  public static String answers(String nodeId, int shard) {
    return "netflow.node." + nodeId + ".answers." + shard;
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
