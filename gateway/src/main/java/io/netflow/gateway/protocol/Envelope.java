package io.netflow.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The unit of traffic: a payload addressed to a <em>service</em> (request/reply, routed to one
 * node) or to a <em>topic</em> (published to every subscriber), with a priority and a deadline.
 *
 * <p>Immutable. Between nodes it travels in a binary form ({@link EnvelopeCodec}); the payload is
 * carried as raw bytes.
 *
 * @param id             unique per envelope; CRITICAL and HIGH are de-duplicated by it
 * @param service        the service to reach, or null for a topic
 * @param topic          the topic to publish to, or null for a service
 * @param key            optional affinity key (a match or player id): the same key goes to the same node
 * @param priority       the lane it travels in
 * @param deadlineMillis wall-clock time (epoch ms) after which nobody wants it any more
 * @param origin         the node id that first routed it (set by the mesh), or null
 * @param headers        small string metadata passed through to the handler
 * @param payload        the bytes
 */
public record Envelope(String id, String service, String topic, String key, Priority priority, long deadlineMillis,
                       String origin, Map<String, String> headers, Buffer payload) {

  /** Names of services and topics: lowercase, digits, '.', '_', '-', up to 128 characters. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
  /** The longest id and key accepted. */
  public static final int MAX_ID_LENGTH = 128;
  /** The most headers an envelope may carry, and the longest header key or value. */
  public static final int MAX_HEADERS = 32;
  public static final int MAX_HEADER_LENGTH = 256;

  public Envelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(priority, "priority");
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    payload = payload == null ? Buffer.buffer() : payload;
  }

  /**
   * A fresh envelope id: 122 random bits in UUID form (version 4). Drawn from a fast per-thread
   * generator rather than SecureRandom: ids tell envelopes apart, they guard nothing (a client may
   * choose its own).
   */
  public static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & ~(3L << 62)) | (1L << 63)).toString();
  }

  /** A builder for a request to {@code service}. */
  public static Builder toService(String service) {
    return new Builder().service(service);
  }

  /** A builder for a publication on {@code topic}. */
  public static Builder toTopic(String topic) {
    return new Builder().topic(topic);
  }

  public boolean isRequest() {
    return service != null;
  }

  /** The service or topic name. */
  public String target() {
    return service != null ? service : topic;
  }

  /** Payload plus metadata, roughly as it weighs on the wire. */
  public int size() {
    int size = 64 + id.length() + target().length() + (key == null ? 0 : key.length());
    for (Map.Entry<String, String> h : headers.entrySet()) {
      size += h.getKey().length() + h.getValue().length() + 4;
    }
    return size + payload.length();
  }

  /** Milliseconds left before the deadline at wall-clock time {@code nowMillis}; negative once past. */
  public long remainingMillis(long nowMillis) {
    return deadlineMillis - nowMillis;
  }

  public Envelope withOrigin(String origin) {
    return new Envelope(id, service, topic, key, priority, deadlineMillis, origin, headers, payload);
  }

  public Envelope withPayload(Buffer payload) {
    return new Envelope(id, service, topic, key, priority, deadlineMillis, origin, headers, payload);
  }

  public Envelope withHeaders(Map<String, String> headers) {
    return new Envelope(id, service, topic, key, priority, deadlineMillis, origin, headers, payload);
  }

  /**
   * Whether {@code s} is a valid service or topic name ({@link #NAME}), checked without a regex:
   * every routed request is checked, and the matcher was a tenth of a routing loop's time.
   */
  public static boolean isName(String s) {
    int n = s.length();
    if (n == 0 || n > 128 || !nameChar(s.charAt(0), true)) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      if (!nameChar(s.charAt(i), false)) {
        return false;
      }
    }
    return true;
  }

  private static boolean nameChar(char c, boolean first) {
    return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || !first && (c == '.' || c == '_' || c == '-');
  }

  /**
   * Checks the envelope against the protocol's rules and the given payload limit.
   *
   * @throws MeshException with NO_TARGET, MALFORMED, TOO_LARGE or DEADLINE_EXCEEDED
   */
  public Envelope validate(int maxPayloadBytes, long nowMillis) {
    if ((service == null) == (topic == null)) {
      throw new MeshException(ErrorCode.NO_TARGET, "envelope " + id + " must name exactly one of service or topic");
    }
    if (!isName(target())) {
      throw new MeshException(ErrorCode.MALFORMED, "bad " + (service != null ? "service" : "topic") + " name '"
        + target() + "': lowercase letters, digits, '.', '_', '-', up to 128");
    }
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH || (key != null && key.length() > MAX_ID_LENGTH)) {
      throw new MeshException(ErrorCode.MALFORMED, "id and key must be 1-" + MAX_ID_LENGTH + " characters");
    }
    if (headers.size() > MAX_HEADERS || headers.entrySet().stream()
      .anyMatch(h -> h.getKey().length() > MAX_HEADER_LENGTH || h.getValue().length() > MAX_HEADER_LENGTH)) {
      throw new MeshException(ErrorCode.MALFORMED, "at most " + MAX_HEADERS + " headers of at most "
        + MAX_HEADER_LENGTH + " characters each");
    }
    if (payload.length() > maxPayloadBytes) {
      throw new MeshException(ErrorCode.TOO_LARGE, "payload of " + payload.length() + " bytes is over the limit of "
        + maxPayloadBytes);
    }
    if (deadlineMillis <= nowMillis) {
      throw new MeshException(ErrorCode.DEADLINE_EXCEEDED, "envelope " + id + " is past its deadline by "
        + (nowMillis - deadlineMillis) + " ms");
    }
    return this;
  }

  /** Builds envelopes; the id defaults to a random UUID and the deadline to 5 s from now. */
  public static final class Builder {
    private String id;
    private String service;
    private String topic;
    private String key;
    private Priority priority = Priority.NORMAL;
    private long deadlineMillis;
    private Map<String, String> headers = Map.of();
    private Buffer payload = Buffer.buffer();

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder service(String service) {
      this.service = service;
      return this;
    }

    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    public Builder key(String key) {
      this.key = key;
      return this;
    }

    public Builder priority(Priority priority) {
      this.priority = priority;
      return this;
    }

    /** The deadline as wall-clock epoch milliseconds. */
    public Builder deadlineMillis(long deadlineMillis) {
      this.deadlineMillis = deadlineMillis;
      return this;
    }

    /** The deadline as milliseconds from now. */
    public Builder timeoutMillis(long timeoutMillis) {
      this.deadlineMillis = System.currentTimeMillis() + timeoutMillis;
      return this;
    }

    public Builder headers(Map<String, String> headers) {
      this.headers = headers;
      return this;
    }

    public Builder payload(Buffer payload) {
      this.payload = payload;
      return this;
    }

    public Builder payload(String utf8) {
      this.payload = Buffer.buffer(utf8);
      return this;
    }

    public Envelope build() {
      return new Envelope(id != null ? id : newId(), service, topic, key, priority,
        deadlineMillis != 0 ? deadlineMillis : System.currentTimeMillis() + 5_000, null, headers, payload);
    }
  }
}
