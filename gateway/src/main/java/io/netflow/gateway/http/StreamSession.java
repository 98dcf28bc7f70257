package io.netflow.gateway.http;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.auth.Authenticate;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.Headers;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * One WebSocket client on {@code /v1/stream}. Text frames are JSON:
 * <ul>
 *   <li>{@code {"op":"send", ...message}}: answered by {@code {"op":"ack","id","status",...}} or
 *       {@code {"op":"error","id","code","error","message"}} (with {@code retryAfterMs} when a retry
 *       later may succeed: 429 and 503 codes);</li>
 *   <li>{@code {"op":"subscribe","topic"}}: answered {@code {"op":"subscribed","topic"}} once every
 *       node of the mesh knows of it; publications then arrive as
 *       {@code {"op":"message","topic","id","payload"}}. A repeated subscribe is one subscription; past
 *       {@code gateway.ws-max-subscriptions} the answer is an error LIMIT_REACHED (1021);</li>
 *   <li>{@code {"op":"unsubscribe","topic"}}: answered {@code {"op":"unsubscribed","topic"}};</li>
 *   <li>{@code {"op":"follow","model"}} (a key with {@code models:<glob>}): answered
 *       {@code {"op":"following","model"}}; then whenever what devices should run of it changes (a
 *       new version's waves begin, pause, resume or stop; a rollback),
 *       {@code {"op":"model","model","version","previous","state"}} arrives, and the device asks
 *       {@code /v1/models/{model}/active} what to run. Follows count against
 *       {@code gateway.ws-max-subscriptions} with topics; {@code {"op":"unfollow","model"}} ends one.</li>
 * </ul>
 * A client's subscriptions end with its socket: the node drops a topic with its last subscriber.
 * When the node starts draining it closes the socket with {@code 1001} (going away): the client
 * connects to another node and sends there again what was not acknowledged (answered from memory
 * where a node already served it).
 * Backpressure both ways: past {@link #MAX_IN_FLIGHT} unanswered sends the gateway stops reading
 * from the client; a client that reads too slowly has deliveries dropped (counted, and told with
 * {@code {"op":"dropped","count"}}) rather than buffered without bound.
 */
final class StreamSession {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private record Subscription(MessageConsumer<String> feed, io.vertx.core.Future<Void> confirmed) {
  }

  static final int MAX_IN_FLIGHT = 256;

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final ApiKeys.Principal who;
  private final Authenticate auth;
  private final GatewayOptions options;
  /** This client's topics: the local feed of each, and whether the node confirmed the subscription. */
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  /** The models this client follows, and their local feeds. */
  private final Map<String, MessageConsumer<JsonObject>> follows = new HashMap<>();
  private int inFlight;
  private long dropped;
  private boolean paused;
  private final java.util.function.BooleanSupplier nodeDraining;
  private MessageConsumer<Void> draining;

  /** @param nodeDraining whether the node has started draining (a socket that got in just then is sent away too) */
  StreamSession(Vertx vertx, ServerWebSocket ws, ApiKeys.Principal who, Authenticate auth, GatewayOptions options,
                java.util.function.BooleanSupplier nodeDraining) {
    this.vertx = vertx;
    this.nodeDraining = nodeDraining;
    this.ws = ws;
    this.who = who;
    this.auth = auth;
    this.options = options;
  }

  void start() {
    ws.setWriteQueueMaxSize(options.getWsMaxQueuedBytes());
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> error(null, new MeshException(ErrorCode.MALFORMED, "frames are JSON text")));
    ws.drainHandler(v -> {
      if (dropped > 0) {
        ws.writeTextMessage(new JsonObject().put("op", "dropped").put("count", dropped).encode());
        dropped = 0;
      }
    });
    draining = vertx.eventBus().localConsumer(Addresses.NODE_DRAINING, m -> goAway());
    if (nodeDraining.getAsBoolean()) {
      goAway();
    }
    ws.closeHandler(v -> {
      draining.unregister();
      subscriptions.keySet().forEach(this::leave);
      subscriptions.clear();
      follows.values().forEach(MessageConsumer::unregister);
      follows.clear();
    });
  }

  /** The node drains: the client is told to connect to another (1001, going away). */
  private void goAway() {
    if (!ws.isClosed()) {
      ws.close((short) 1001, "the node is draining: connect to another");
    }
  }

  private void onText(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException e) {
      error(null, new MeshException(ErrorCode.MALFORMED, "a frame is a JSON object"));
      return;
    }
    String op = frame.getString("op", "");
    switch (op) {
      case "send" -> send(frame);
      case "subscribe" -> subscribe(frame.getValue("topic") instanceof String t ? t : null);
      case "unsubscribe" -> unsubscribe(frame.getValue("topic") instanceof String t ? t : null);
      case "follow" -> follow(frame.getValue("model") instanceof String m ? m : null);
      case "unfollow" -> unfollow(frame.getValue("model") instanceof String m ? m : null);
      default -> error(frame.getValue("id") instanceof String id ? id : null, new MeshException(ErrorCode.MALFORMED,
        "op must be send, subscribe, unsubscribe, follow or unfollow"));
    }
  }

  private void send(JsonObject frame) {
    MessageForm form;
    try {
      form = MessageForm.parse(frame.copy(), options.getDefaultTimeoutMs());
      if (!who.may("publish", form.target())) {
        throw new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId() + " may not publish to '" + form.target() + "'");
      }
      if (auth.take(who.keyId()) > 0) {
        throw new MeshException(ErrorCode.RATE_LIMITED, "over the key's rate", 1_000);
      }
    } catch (MeshException bad) {
      error(frame.getString("id"), bad);
      return;
    }
    if (++inFlight >= MAX_IN_FLIGHT && !paused) {
      paused = true;
      ws.pause();
    }
    form.send(vertx, options.getIngressBatchMax()).onComplete(ar -> {
      if (--inFlight < MAX_IN_FLIGHT / 2 && paused) {
        paused = false;
        ws.resume();
      }
      if (ar.succeeded()) {
        write(ar.result().toJson().put("op", "ack").put("status", form.status()));
      } else {
        error(form.id(), MeshException.of(ar.cause()));
      }
    });
  }

  private void subscribe(String topic) {
    if (topic == null || !who.may("subscribe", topic)) {
      topicError(topic, new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId() + " may not subscribe to '" + topic + "'"));
      return;
    }
    Subscription held = subscriptions.get(topic);
    if (held != null) {
      held.confirmed().onSuccess(v -> subscribed(topic));
      return;
    }
    if (subscriptions.size() + follows.size() >= options.getWsMaxSubscriptions()) {
      topicError(topic, new MeshException(ErrorCode.LIMIT_REACHED, "this connection subscribes to "
        + "gateway.ws-max-subscriptions (" + options.getWsMaxSubscriptions() + ") topics; unsubscribe from one first"));
      return;
    }
    MessageConsumer<String> feed = vertx.eventBus().localConsumer(Addresses.topicFeed(topic),
      m -> deliver(topic, m.headers().get(Headers.ID), m.body()));
    var confirmed = vertx.eventBus().request(Addresses.SUBSCRIBE, new JsonObject().put("topic", topic), LOCAL).<Void>mapEmpty();
    Subscription sub = new Subscription(feed, confirmed);
    subscriptions.put(topic, sub);
    confirmed.onSuccess(v -> subscribed(topic)).onFailure(err -> {
      // Nothing held for a subscription the node did not confirm: the client may try again.
      feed.unregister();
      subscriptions.remove(topic, sub);
      topicError(topic, MeshException.of(err));
    });
  }

  private void unsubscribe(String topic) {
    if (topic != null && subscriptions.containsKey(topic)) {
      leave(topic);
      subscriptions.remove(topic);
    }
    write(new JsonObject().put("op", "unsubscribed").put("topic", topic));
  }

  private void follow(String model) {
    if (model == null || !Envelope.NAME.matcher(model).matches() || !who.may("models", model)) {
      write(new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId() + " may not follow model '" + model + "'")
        .toJson().put("op", "error").put("model", model));
      return;
    }
    if (!follows.containsKey(model)) {
      if (subscriptions.size() + follows.size() >= options.getWsMaxSubscriptions()) {
        write(new MeshException(ErrorCode.LIMIT_REACHED, "this connection follows and subscribes to "
          + "gateway.ws-max-subscriptions (" + options.getWsMaxSubscriptions() + ") in all; leave one first")
          .toJson().put("op", "error").put("model", model));
        return;
      }
      follows.put(model, vertx.eventBus().<JsonObject>localConsumer(Addresses.deviceModelFeed(model),
        m -> write(m.body().copy().put("op", "model").put("model", model))));
    }
    write(new JsonObject().put("op", "following").put("model", model));
  }

  private void unfollow(String model) {
    MessageConsumer<JsonObject> feed = model == null ? null : follows.remove(model);
    if (feed != null) {
      feed.unregister();
    }
    write(new JsonObject().put("op", "unfollowed").put("model", model));
  }

  /** Stops this client's feed of a topic, and tells the node once its subscription was confirmed. */
  private void leave(String topic) {
    Subscription sub = subscriptions.get(topic);
    sub.feed().unregister();
    sub.confirmed().onSuccess(v -> vertx.eventBus().send(Addresses.UNSUBSCRIBE, new JsonObject().put("topic", topic), LOCAL));
  }

  private void subscribed(String topic) {
    write(new JsonObject().put("op", "subscribed").put("topic", topic));
  }

  private void topicError(String topic, MeshException e) {
    write(e.toJson().put("op", "error").put("topic", topic));
  }

  private void deliver(String topic, String id, String payload) {
    if (ws.writeQueueFull()) {
      dropped++;
      return;
    }
    write(new JsonObject().put("op", "message").put("topic", topic).put("id", id).put("payload", payload));
  }

  private void error(String id, MeshException e) {
    write(e.toJson().put("op", "error").put("id", id));
  }

  private void write(JsonObject frame) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(frame.encode());
    }
  }
}
