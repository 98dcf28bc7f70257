package io.netflow.gateway.protocol;

/**
 * The event-bus addresses of the gateway's protocol with the engine: where requests and
 * publications enter the mesh, and where topics are fed to the gateway's clients. Dotted lowercase,
 * prefixed {@code netflow.}; each capability keeps its own addresses in its own package.
 *
 * <p>Addresses marked <em>local</em> are served by a consumer on the same node only and must be
 * sent with {@link io.vertx.core.eventbus.DeliveryOptions#setLocalOnly(boolean) localOnly}; they
 * never cross the cluster. Only addresses meant for browsers may be let through a SockJS bridge.
 */
public final class Addresses {

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

  /**
   * Local publish, no body: this node has started draining. Its gateway closes its clients'
   * WebSockets ({@code 1001} going away), so that they move to another node at once rather than
   * at their next readiness check.
   */
  public static final String NODE_DRAINING = "netflow.node.draining";

  /** Local publish: publications on {@code topic} (payload as UTF-8 text, envelope fields in {@link Headers}). */
  public static String topicFeed(String topic) {
    return "netflow.topic." + topic;
  }

  /**
   * Local publish {@code {"model", "version", "previous", "state"}}: what devices should run of
   * {@code model} changed on this mesh (a new version's waves began, were paused, resumed or
   * aborted, or a rollback). Every node publishes it to its own WebSocket followers.
   */
  public static String deviceModelFeed(String model) {
    return "netflow.device-model." + model;
  }

  private Addresses() {
  }
}
