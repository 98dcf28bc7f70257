package io.netflow.gateway.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.Headers;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Map;

/**
 * A message as game servers and Micro Nodes send it, over HTTP or WebSocket:
 * {@code {"id"?, "service" | "topic", "key"?, "priority"?, "timeoutMs"?, "headers"?, "payload" | "payloadBase64"}}.
 * Checked here (a stable code for each problem), then handed to this node's event-bus ingress.
 */
public record MessageForm(String id, String service, String topic, String key, Priority priority, long timeoutMs,
                          Map<String, String> headers, Buffer payload) {

  /** Reads and checks a message; fails with MALFORMED, NO_TARGET or UNKNOWN_PRIORITY. */
  public static MessageForm parse(Object body, long defaultTimeoutMs) {
    if (!(body instanceof JsonObject json)) {
      throw new MeshException(ErrorCode.MALFORMED, "a message is a JSON object");
    }
    try {
      String service = json.getString("service");
      String topic = json.getString("topic");
      if ((service == null) == (topic == null)) {
        throw new MeshException(ErrorCode.NO_TARGET, "a message names exactly one of service or topic");
      }
      String target = service != null ? service : topic;
      if (!Envelope.NAME.matcher(target).matches()) {
        throw new MeshException(ErrorCode.MALFORMED, "bad name '" + target + "': lowercase letters, digits, '.', '_', '-'");
      }
      Priority priority = json.containsKey("priority") ? Priority.parse(json.getString("priority")) : Priority.NORMAL;
      long timeout = json.containsKey("timeoutMs") ? json.getLong("timeoutMs") : defaultTimeoutMs;
      if (timeout < 1 || timeout > 600_000) {
        throw new MeshException(ErrorCode.MALFORMED, "timeoutMs must be in [1, 600000]");
      }
      JsonObject headers = json.getJsonObject("headers", new JsonObject());
      Map<String, String> h = new java.util.HashMap<>();
      headers.forEach(e -> h.put(e.getKey(), (String) e.getValue()));
      Buffer payload;
      if (json.containsKey("payloadBase64")) {
        payload = Buffer.buffer(Base64.getDecoder().decode(json.getString("payloadBase64")));
      } else {
        payload = Buffer.buffer(json.getString("payload", ""));
      }
      String given = json.getString("id");
      String id = given != null ? given : Envelope.newId();
      return new MessageForm(id, service, topic, json.getString("key"), priority, timeout, h, payload);
    } catch (ClassCastException | IllegalArgumentException e) {
      throw new MeshException(ErrorCode.MALFORMED, "a field has the wrong type: " + e.getMessage());
    }
  }

  public String target() {
    return service != null ? service : topic;
  }

  /**
   * What the client is told of a message it sent: its id; the node that took it (requests to a
   * service); and for CRITICAL and HIGH requests, the attempts it took and the service's reply.
   * Fields that do not apply are null and left out of the JSON.
   */
  public record Answer(String id, String node, Integer attempts, String reply) {

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("id", id);
      if (node != null) {
        json.put("node", node);
      }
      if (attempts != null) {
        json.put("attempts", attempts).put("reply", reply);
      }
      return json;
    }

    /**
     * {@link #toJson()} encoded, written straight into a string: the HTTP API answers every
     * accepted message with one, and a {@code JsonObject} and a Jackson generator per answer cost
     * more than the rest of building it.
     */
    public String encode() {
      StringBuilder out = new StringBuilder(96);
      out.append("{\"id\":");
      quote(id, out);
      if (node != null) {
        out.append(",\"node\":");
        quote(node, out);
      }
      if (attempts != null) {
        out.append(",\"attempts\":").append(attempts.intValue()).append(",\"reply\":");
        quote(reply, out);
      }
      return out.append('}').toString();
    }

    private static void quote(String value, StringBuilder out) {
      if (value == null) {
        out.append("null");
        return;
      }
      out.append('"');
      JsonStringEncoder.getInstance().quoteAsString(value, out);
      out.append('"');
    }
  }

  /**
   * Hands the message to this node's mesh and answers once the client may be told: CRITICAL and
   * HIGH requests once served ({@code id, node, attempts, reply}); other requests as soon as a node
   * has taken them ({@code id, node}), gathered per event-loop turn ({@link IngressBatcher}, at most
   * {@code batchMax} at a time); publications once every subscribing node has them ({@code id}).
   * Must be called on an event loop.
   */
  public Future<Answer> send(Vertx vertx, int batchMax) {
    if (service != null && !priority.atLeastOnce()) {
      return IngressBatcher.current(vertx, batchMax).accept(envelope(), timeoutMs + 1_000)
        .map(node -> new Answer(id, node, null, null));
    }
    DeliveryOptions o = new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMs + 1_000)
      .addHeader(Headers.ID, id).addHeader(Headers.PRIORITY, priority.name())
      .addHeader(Headers.TIMEOUT_MS, String.valueOf(timeoutMs));
    if (key != null) {
      o.addHeader(Headers.KEY, key);
    }
    headers.forEach((k, v) -> o.addHeader(Headers.PASS_PREFIX + k, v));
    if (service == null) {
      o.addHeader(Headers.TOPIC, topic);
      return vertx.eventBus().<Buffer>request(Addresses.PUBLISH, payload, o).map(published -> new Answer(id, null, null, null));
    }
    o.addHeader(Headers.SERVICE, service);
    return vertx.eventBus().<Buffer>request(Addresses.INGRESS, payload, o).map(reply -> new Answer(id,
      reply.headers().get(Headers.NODE), Integer.valueOf(reply.headers().get(Headers.ATTEMPTS)),
      reply.body() == null ? "" : reply.body().toString()));
  }

  /** The message as the mesh carries it. */
  public Envelope envelope() {
    Envelope.Builder b = service != null ? Envelope.toService(service) : Envelope.toTopic(topic);
    return b.id(id).key(key).priority(priority).timeoutMillis(timeoutMs).headers(headers).payload(payload).build();
  }

  /** 200 once a CRITICAL or HIGH request is delivered and answered; 202 for everything else, accepted. */
  public int status() {
    return service != null && priority.atLeastOnce() ? 200 : 202;
  }
}
