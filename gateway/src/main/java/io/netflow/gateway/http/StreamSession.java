package io.netflow.gateway.http;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.auth.Authenticate;
import io.netflow.gateway.protocol.Addresses;
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
import java.util.ArrayList;
import java.util.List;

/**
 * One WebSocket client on {@code /v1/stream}. Text frames are JSON:
 * <ul>
 *   <li>{@code {"op":"send", ...message}}: answered by {@code {"op":"ack","id","status",...}} or
 *       {@code {"op":"error","id","code","error","message"}};</li>
 *   <li>{@code {"op":"subscribe","topic"}}: publications then arrive as
 *       {@code {"op":"message","topic","id","payload"}}.</li>
 * </ul>
 * Backpressure both ways: past {@link #MAX_IN_FLIGHT} unanswered sends the gateway stops reading
 * from the client; a client that reads too slowly has deliveries dropped (counted, and told with
 * {@code {"op":"dropped","count"}}) rather than buffered without bound.
 */
final class StreamSession {

  static final int MAX_IN_FLIGHT = 256;

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final ApiKeys.Principal who;
  private final Authenticate auth;
  private final GatewayOptions options;
  private final List<MessageConsumer<String>> feeds = new ArrayList<>();
  private int inFlight;
  private long dropped;
  private boolean paused;

  StreamSession(Vertx vertx, ServerWebSocket ws, ApiKeys.Principal who, Authenticate auth, GatewayOptions options) {
    this.vertx = vertx;
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
    ws.closeHandler(v -> feeds.forEach(MessageConsumer::unregister));
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
      case "subscribe" -> subscribe(frame.getString("topic"));
      default -> error(frame.getString("id"), new MeshException(ErrorCode.MALFORMED, "op must be send or subscribe"));
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
      error(null, new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId() + " may not subscribe to '" + topic + "'"));
      return;
    }
    MessageConsumer<String> feed = vertx.eventBus().localConsumer(Addresses.topicFeed(topic),
      m -> deliver(topic, m.headers().get(Headers.ID), m.body()));
    feeds.add(feed);
    vertx.eventBus().request(Addresses.SUBSCRIBE, new JsonObject().put("topic", topic), new DeliveryOptions().setLocalOnly(true))
      .onSuccess(r -> write(new JsonObject().put("op", "subscribed").put("topic", topic)))
      .onFailure(err -> error(null, MeshException.of(err)));
  }

  private void deliver(String topic, String id, String payload) {
    if (ws.writeQueueFull()) {
      dropped++;
      return;
    }
    write(new JsonObject().put("op", "message").put("topic", topic).put("id", id).put("payload", payload));
  }

  private void error(String id, MeshException e) {
    write(e.code().toJson(e.getMessage()).put("op", "error").put("id", id));
  }

  private void write(JsonObject frame) {
    if (!ws.isClosed()) {
      ws.writeTextMessage(frame.encode());
    }
  }
}
