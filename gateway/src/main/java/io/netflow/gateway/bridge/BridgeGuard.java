package io.netflow.gateway.bridge;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Headers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the event-bus bridges (TCP and SockJS) let through, for clients in any language that speak
 * the Vert.x bridge protocol. Only three kinds of frame pass: a send to {@link Addresses#INGRESS}
 * (a request, scope {@code publish:<service>}), a send to {@link Addresses#PUBLISH} (scope
 * {@code publish:<topic>}), and a register on {@code netflow.topic.<topic>} (scope
 * {@code subscribe:<topic>}). Every frame carries its API key in {@code headers.apikey}.
 *
 * <p>A register passes once the node has subscribed to the topic and every node knows it, never
 * when that failed; a socket holds at most {@code gateway.ws-max-subscriptions} topics. Its topics
 * are given back when it unregisters them or closes ({@link #closed}), so the node drops a topic
 * with its last subscriber. One guard per bridge server, used on that server's event loop.
 */
public final class BridgeGuard {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeGuard.class);
  /** The frame header that carries the API key. */
  public static final String KEY_HEADER = "apikey";
  private static final String FEED_PREFIX = Addresses.topicFeed("");
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final ApiKeys keys;
  private final Vertx vertx;
  private final int maxSubscriptions;
  private final Map<Object, Set<String>> topicsBySocket = new HashMap<>();

  /** @param maxSubscriptions topics one socket may subscribe to at once ({@code gateway.ws-max-subscriptions}) */
  public BridgeGuard(ApiKeys keys, Vertx vertx, int maxSubscriptions) {
    this.keys = keys;
    this.vertx = vertx;
    this.maxSubscriptions = maxSubscriptions;
  }

  /** Makes a guard for a Vert.x instance (verticles get theirs at start). */
  @FunctionalInterface
  public interface Factory {
    BridgeGuard create(Vertx vertx);
  }

  /** Exactly the addresses bridge clients may use. */
  public static BridgeOptions options() {
    return new BridgeOptions()
      .addInboundPermitted(new PermittedOptions().setAddress(Addresses.INGRESS))
      .addInboundPermitted(new PermittedOptions().setAddress(Addresses.PUBLISH))
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(FEED_PREFIX) + "[a-z0-9][a-z0-9._-]{0,127}"));
  }

  /**
   * Whether the frame from {@code socket} may pass. A register completes once the node's
   * subscription is confirmed (false when it failed or the socket holds too many topics); an
   * unregister gives the topic back.
   */
  public Future<Boolean> allows(BridgeEventType type, JsonObject frame, Object socket) {
    if (type == BridgeEventType.UNREGISTER) {
      release(socket, topicOf(frame));
      return Future.succeededFuture(true);
    }
    if (type != BridgeEventType.SEND && type != BridgeEventType.PUBLISH && type != BridgeEventType.REGISTER) {
      return Future.succeededFuture(true);
    }
    if (frame == null) {
      return Future.succeededFuture(false);
    }
    JsonObject headers = frame.getJsonObject("headers", new JsonObject());
    Optional<ApiKeys.Principal> who = keys.authenticate(headers.getString(KEY_HEADER));
    if (who.isEmpty()) {
      return Future.succeededFuture(false);
    }
    String address = frame.getString("address", "");
    if (type == BridgeEventType.REGISTER) {
      String topic = topicOf(frame);
      return who.get().may("subscribe", topic) ? register(socket, topic) : Future.succeededFuture(false);
    }
    if (type != BridgeEventType.SEND) {
      return Future.succeededFuture(false);
    }
    String target = address.equals(Addresses.INGRESS) ? headers.getString(Headers.SERVICE)
      : address.equals(Addresses.PUBLISH) ? headers.getString(Headers.TOPIC) : null;
    return Future.succeededFuture(target != null && who.get().may("publish", target));
  }

  /** The socket is gone: every topic it held is given back. */
  public void closed(Object socket) {
    Set<String> topics = topicsBySocket.remove(socket);
    if (topics != null) {
      topics.forEach(this::unsubscribe);
    }
  }

  /** How many sockets hold at least one topic (for tests and the console). */
  public int sockets() {
    return topicsBySocket.size();
  }

  private Future<Boolean> register(Object socket, String topic) {
    Set<String> held = topicsBySocket.computeIfAbsent(socket, s -> new HashSet<>());
    if (held.contains(topic)) {
      return Future.succeededFuture(true);
    }
    if (held.size() >= maxSubscriptions) {
      LOG.debug("Refused a bridge register past gateway.ws-max-subscriptions ({})", maxSubscriptions);
      return Future.succeededFuture(false);
    }
    held.add(topic);
    return vertx.eventBus().request(Addresses.SUBSCRIBE, new JsonObject().put("topic", topic), LOCAL)
      .map(r -> true)
      .otherwise(err -> {
        LOG.debug("Refused a bridge register on '{}': the node could not subscribe ({})", topic, err.getMessage());
        Set<String> still = topicsBySocket.get(socket);
        if (still != null) {
          still.remove(topic);
        }
        return false;
      });
  }

  private void release(Object socket, String topic) {
    Set<String> held = topicsBySocket.get(socket);
    if (held != null && held.remove(topic)) {
      unsubscribe(topic);
      if (held.isEmpty()) {
        topicsBySocket.remove(socket);
      }
    }
  }

  private void unsubscribe(String topic) {
    vertx.eventBus().send(Addresses.UNSUBSCRIBE, new JsonObject().put("topic", topic), LOCAL);
  }

  private static String topicOf(JsonObject frame) {
    String address = frame == null ? "" : frame.getString("address", "");
    return address.startsWith(FEED_PREFIX) ? address.substring(FEED_PREFIX.length()) : "";
  }
}
