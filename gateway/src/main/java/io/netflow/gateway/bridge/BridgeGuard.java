package io.netflow.gateway.bridge;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Headers;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the event-bus bridges (TCP and SockJS) let through, for clients in any language that speak
 * the Vert.x bridge protocol. Only three kinds of frame pass: a send to {@link Addresses#INGRESS}
 * (a request, scope {@code publish:<service>}), a send to {@link Addresses#PUBLISH} (scope
 * {@code publish:<topic>}), and a register on {@code netflow.topic.<topic>} (scope
 * {@code subscribe:<topic>}). Every frame carries its API key in {@code headers.apikey}.
 */
public final class BridgeGuard {

  /** The frame header that carries the API key. */
  public static final String KEY_HEADER = "apikey";
  private static final String FEED_PREFIX = Addresses.topicFeed("");

  private final ApiKeys keys;
  private final Vertx vertx;

  public BridgeGuard(ApiKeys keys, Vertx vertx) {
    this.keys = keys;
    this.vertx = vertx;
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

  /** Whether the frame may pass; a register also starts the topic's feed on this node. */
  public boolean allows(BridgeEventType type, JsonObject frame) {
    if (type != BridgeEventType.SEND && type != BridgeEventType.PUBLISH && type != BridgeEventType.REGISTER) {
      return true;
    }
    if (frame == null) {
      return false;
    }
    JsonObject headers = frame.getJsonObject("headers", new JsonObject());
    Optional<ApiKeys.Principal> who = keys.authenticate(headers.getString(KEY_HEADER));
    if (who.isEmpty()) {
      return false;
    }
    String address = frame.getString("address", "");
    if (type == BridgeEventType.REGISTER) {
      String topic = address.startsWith(FEED_PREFIX) ? address.substring(FEED_PREFIX.length()) : "";
      if (!who.get().may("subscribe", topic)) {
        return false;
      }
      vertx.eventBus().request(Addresses.SUBSCRIBE, new JsonObject().put("topic", topic), new DeliveryOptions().setLocalOnly(true));
      return true;
    }
    if (type != BridgeEventType.SEND) {
      return false;
    }
    String target = address.equals(Addresses.INGRESS) ? headers.getString(Headers.SERVICE)
      : address.equals(Addresses.PUBLISH) ? headers.getString(Headers.TOPIC) : null;
    return target != null && who.get().may("publish", target);
  }
}
