package io.netflow.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import java.io.IOException;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A message as game servers and Micro Nodes send it, over HTTP or WebSocket:
 * {@code {"id"?, "service" | "topic", "key"?, "priority"?, "timeoutMs"?, "headers"?, "payload" | "payloadBase64",
 * "resend"?}}. Checked here (a stable code for each problem), then handed to this node's event-bus ingress.
 *
 * @param resend a copy of a CRITICAL or HIGH request sent before, perhaps through another node (a
 *               client that lost its connection before the answer): the node that remembers its id
 *               answers it, so it is applied once
 */
public record MessageForm(String id, String service, String topic, String key, Priority priority, long timeoutMs,
                          Map<String, String> headers, Buffer payload, boolean resend) {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Reads and checks a message from its JSON text, as it arrives over HTTP: streamed straight into
   * the fields a message has (others are skipped), with no tree of the document built on the way.
   * Fails with MALFORMED (not JSON, not an object, a field of the wrong type), NO_TARGET or
   * UNKNOWN_PRIORITY.
   */
  public static MessageForm parse(Buffer body, long defaultTimeoutMs) {
    if (body == null || body.length() == 0) {
      throw new MeshException(ErrorCode.MALFORMED, "the body must be JSON");
    }
    Fields fields = new Fields();
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new MeshException(ErrorCode.MALFORMED, "a message is a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        fields.put(name, value(p, p.nextToken(), name.equals("headers")));
      }
      if (p.nextToken() != null) {
        throw new MeshException(ErrorCode.MALFORMED, "the body is not valid JSON: more after the message");
      }
    } catch (IOException e) {
      throw new MeshException(ErrorCode.MALFORMED, "the body is not valid JSON");
    }
    return fields.form(defaultTimeoutMs);
  }

  /**
   * Reads and checks a message already parsed (a WebSocket frame), by the same rules as
   * {@link #parse(Buffer, long)}.
   */
  public static MessageForm parse(Object body, long defaultTimeoutMs) {
    if (!(body instanceof JsonObject json)) {
      throw new MeshException(ErrorCode.MALFORMED, "a message is a JSON object");
    }
    Fields fields = new Fields();
    json.forEach(e -> fields.put(e.getKey(), e.getValue() instanceof JsonObject o ? o.getMap() : e.getValue()));
    return fields.form(defaultTimeoutMs);
  }

  /** A field's value as the JSON tree would hold it; a nested value only for the headers, else {@link #NESTED}. */
  private static Object value(JsonParser p, JsonToken token, boolean headers) throws IOException {
    switch (token) {
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return p.getNumberValue();
      case VALUE_TRUE:
      case VALUE_FALSE:
        return token == JsonToken.VALUE_TRUE;
      case VALUE_NULL:
        return null;
      case START_OBJECT:
        if (headers) {
          Map<String, Object> map = new HashMap<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            map.put(name, value(p, p.nextToken(), false));
          }
          return map;
        }
        p.skipChildren();
        return NESTED;
      default:
        p.skipChildren();
        return NESTED;
    }
  }

  /** Stands for an object or array where a message's field holds neither. */
  private static final Object NESTED = new Object();

  /** The fields of a message as read, checked for their types as they come. */
  private static final class Fields {
    private String id;
    private String service;
    private String topic;
    private String key;
    private String priority;
    private Long timeoutMs;
    private Map<String, String> headers;
    private String payload;
    private String payloadBase64;
    private boolean resend;

    /** Takes a field (a later one of the same name wins, as in a JSON object); unknown fields are ignored. */
    void put(String name, Object value) {
      switch (name) {
        case "id" -> id = string(name, value);
        case "service" -> service = string(name, value);
        case "topic" -> topic = string(name, value);
        case "key" -> key = string(name, value);
        case "priority" -> priority = string(name, value);
        case "payload" -> payload = string(name, value);
        case "payloadBase64" -> payloadBase64 = string(name, value);
        case "resend" -> {
          if (value != null && !(value instanceof Boolean)) {
            throw new MeshException(ErrorCode.MALFORMED, "resend must be true or false");
          }
          resend = Boolean.TRUE.equals(value);
        }
        case "timeoutMs" -> {
          if (value != null && !(value instanceof Integer || value instanceof Long || value instanceof BigInteger)) {
            throw new MeshException(ErrorCode.MALFORMED, "timeoutMs must be an integer");
          }
          if (value == null) {
            timeoutMs = null;
          } else if (value instanceof BigInteger big) {
            timeoutMs = big.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE; // out of range all the same
          } else {
            timeoutMs = ((Number) value).longValue();
          }
        }
        case "headers" -> {
          if (value != null && !(value instanceof Map<?, ?>)) {
            throw new MeshException(ErrorCode.MALFORMED, "headers must be an object of strings");
          }
          headers = new HashMap<>();
          if (value != null) {
            ((Map<?, ?>) value).forEach((k, v) -> {
              if (!(v instanceof String text)) {
                throw new MeshException(ErrorCode.MALFORMED, "headers." + k + " must be a string");
              }
              headers.put((String) k, text);
            });
          }
        }
        default -> {
          // not part of a message (a WebSocket frame's op, say)
        }
      }
    }

    private static String string(String name, Object value) {
      if (value == null || value instanceof String) {
        return (String) value;
      }
      throw new MeshException(ErrorCode.MALFORMED, name + " must be a string");
    }

    MessageForm form(long defaultTimeoutMs) {
      if ((service == null) == (topic == null)) {
        throw new MeshException(ErrorCode.NO_TARGET, "a message names exactly one of service or topic");
      }
      String target = service != null ? service : topic;
      if (!Envelope.NAME.matcher(target).matches()) {
        throw new MeshException(ErrorCode.MALFORMED, "bad name '" + target + "': lowercase letters, digits, '.', '_', '-'");
      }
      long timeout = timeoutMs != null ? timeoutMs : defaultTimeoutMs;
      if (timeout < 1 || timeout > 600_000) {
        throw new MeshException(ErrorCode.MALFORMED, "timeoutMs must be in [1, 600000]");
      }
      Buffer body;
      if (payloadBase64 != null) {
        try {
          body = Buffer.buffer(Base64.getDecoder().decode(payloadBase64));
        } catch (IllegalArgumentException e) {
          throw new MeshException(ErrorCode.MALFORMED, "payloadBase64 is not base64: " + e.getMessage());
        }
      } else {
        body = Buffer.buffer(payload != null ? payload : "");
      }
      return new MessageForm(id != null ? id : Envelope.newId(), service, topic, key,
        priority != null ? Priority.parse(priority) : Priority.NORMAL, timeout, headers != null ? headers : Map.of(), body,
        resend);
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

    /**
     * Appends {@code value} as a JSON string. Ids and node ids (every answer has them) are printable
     * ASCII with nothing to escape, and are copied as they are; anything else goes through Jackson's
     * encoder.
     */
    private static void quote(String value, StringBuilder out) {
      if (value == null) {
        out.append("null");
        return;
      }
      out.append('"');
      if (plain(value)) {
        out.append(value);
      } else {
        JsonStringEncoder.getInstance().quoteAsString(value, out);
      }
      out.append('"');
    }

    private static boolean plain(String value) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
          return false;
        }
      }
      return true;
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
    if (resend) {
      o.addHeader(Headers.RESEND, "true");
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
