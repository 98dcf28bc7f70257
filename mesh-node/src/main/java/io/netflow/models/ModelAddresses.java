package io.netflow.models;

/**
 * The event-bus addresses of model distribution: dotted lowercase, prefixed {@code netflow.}. Addresses
 * marked <em>local</em> are served on the same node only (sent with {@code localOnly}).
 */
public final class ModelAddresses {

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
   * Publish to every node {@code {"name", "version", "previous", "state"}}: an admin paused, resumed
   * or aborted the device waves of a model; each node tells its WebSocket followers
   * ({@link io.netflow.gateway.protocol.Addresses#deviceModelFeed}).
   */
  public static final String MODEL_DEVICES_CHANGED = "netflow.models.devices-changed";

  private ModelAddresses() {
  }
}
