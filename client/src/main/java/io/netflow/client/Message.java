package io.netflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.UUID;

/**
 * A message to send: to a {@code service} (one node handles it) or a {@code topic} (every
 * subscriber gets it), with a priority, an optional routing key (the same key goes to the same
 * node while it is healthy) and a text payload. Immutable; the withers return a copy.
 */
public record Message(String id, String service, String topic, String key, Priority priority, Long timeoutMs,
                      Map<String, String> headers, String payload) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The mesh's lanes, most urgent first. */
  public enum Priority {
    CRITICAL, HIGH, NORMAL, MODEL, BULK;

    /** CRITICAL and HIGH requests are answered by the service and remembered by id (a repeat is answered once). */
    public boolean atLeastOnce() {
      return this == CRITICAL || this == HIGH;
    }
  }

  public Message {
    if ((service == null) == (topic == null)) {
      throw new IllegalArgumentException("a message goes to exactly one of a service or a topic");
    }
    id = id == null ? UUID.randomUUID().toString() : id;
    priority = priority == null ? Priority.NORMAL : priority;
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    payload = payload == null ? "" : payload;
  }

  public static Message toService(String service, String payload) {
    return new Message(null, service, null, null, null, null, null, payload);
  }

  public static Message toTopic(String topic, String payload) {
    return new Message(null, null, topic, null, null, null, null, payload);
  }

  public Message priority(Priority p) {
    return new Message(id, service, topic, key, p, timeoutMs, headers, payload);
  }

  public Message key(String k) {
    return new Message(id, service, topic, k, priority, timeoutMs, headers, payload);
  }

  public Message id(String i) {
    return new Message(i, service, topic, key, priority, timeoutMs, headers, payload);
  }

  public Message timeoutMs(long ms) {
    return new Message(id, service, topic, key, priority, ms, headers, payload);
  }

  public Message headers(Map<String, String> h) {
    return new Message(id, service, topic, key, priority, timeoutMs, h, payload);
  }

  /** Whether a copy sent again after a lost connection is answered once: a CRITICAL or HIGH request. */
  boolean resendable() {
    return service != null && priority.atLeastOnce();
  }

  /**
   * The {@code send} frame of {@code /v1/stream}; {@code resend} marks a copy of one sent on a lost
   * connection (the node that remembers its id answers it; see {@code Mesh.resend}).
   */
  ObjectNode toFrame(boolean resend) {
    ObjectNode f = JSON.createObjectNode().put("op", "send").put("id", id).put("priority", priority.name());
    if (service != null) {
      f.put("service", service);
    } else {
      f.put("topic", topic);
    }
    if (key != null) {
      f.put("key", key);
    }
    if (resend) {
      f.put("resend", true);
    }
    if (timeoutMs != null) {
      f.put("timeoutMs", timeoutMs);
    }
    if (!headers.isEmpty()) {
      ObjectNode h = f.putObject("headers");
      headers.forEach(h::put);
    }
    return f.put("payload", payload);
  }
}
