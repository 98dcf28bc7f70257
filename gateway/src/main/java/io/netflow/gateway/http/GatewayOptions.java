package io.netflow.gateway.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The limits of the gateway's message API. Every one is enforced and has a config key.
 *
 * <p>Each setting takes what its config key ({@code gateway.*}, {@code http.admin-key-sha256}) allows:
 * a setter, or the JSON constructor, given anything else throws {@link IllegalArgumentException}
 * naming the key, the value and what is allowed. JSON fields are the settings' names
 * ({@code apiKeys}, {@code maxBodyBytes}, ...); unknown fields are ignored.
 */
public class GatewayOptions {

  /** Default accepted API keys: none. */
  public static final List<String> DEFAULT_API_KEYS = List.of();
  /** Default admin keys: none (admin routes refuse everyone but API keys with the admin scope). */
  public static final List<String> DEFAULT_ADMIN_KEYS = List.of();
  /** Default largest HTTP request body: 2 MiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 2 << 20;
  /** Default messages per second per API key: 1,000. */
  public static final long DEFAULT_RATE_PER_SECOND = 1_000;
  /** Default messages a key may send at once above its rate: 2,000. */
  public static final long DEFAULT_RATE_BURST = 2_000;
  /** Default largest WebSocket frame: 1 MiB. */
  public static final int DEFAULT_WS_MAX_FRAME_BYTES = 1 << 20;
  /** Default bytes queued to a slow WebSocket reader: 4 MiB. */
  public static final int DEFAULT_WS_MAX_QUEUED_BYTES = 4 << 20;
  /** Default deadline of a message that names none: 5 s. */
  public static final long DEFAULT_DEFAULT_TIMEOUT_MS = 5_000;
  /** Default requests handed to the mesh in one message: 64. */
  public static final int DEFAULT_INGRESS_BATCH_MAX = 64;
  /** Default topics one client may subscribe to: 10,000. */
  public static final int DEFAULT_WS_MAX_SUBSCRIPTIONS = 10_000;

  private static final Strings API_KEYS = new Strings("apiKeys", "gateway.api-keys",
    "[A-Za-z0-9._-]{1,64}:[0-9a-fA-F]{64}:.+", "must be a list of id:sha256hex:scopes");
  private static final Strings ADMIN_KEYS = new Strings("adminKeys", "http.admin-key-sha256", "[0-9a-fA-F]{64}",
    "must be a list of SHA-256 digests in hex");
  private static final Range MAX_BODY_BYTES = new Range("maxBodyBytes", "gateway.max-body-bytes", 1024, 256 << 20);
  private static final Range RATE_PER_SECOND = new Range("ratePerSecond", "gateway.rate-per-second", 1, 10_000_000);
  private static final Range RATE_BURST = new Range("rateBurst", "gateway.rate-burst", 1, 10_000_000);
  private static final Range WS_MAX_FRAME_BYTES =
    new Range("wsMaxFrameBytes", "gateway.ws-max-frame-bytes", 1024, 64 << 20);
  private static final Range WS_MAX_QUEUED_BYTES =
    new Range("wsMaxQueuedBytes", "gateway.ws-max-queued-bytes", 1024, 1 << 30);
  private static final Range DEFAULT_TIMEOUT_MS =
    new Range("defaultTimeoutMs", "gateway.default-timeout-ms", 1, 600_000);
  private static final Range INGRESS_BATCH_MAX = new Range("ingressBatchMax", "gateway.ingress-batch-max", 1, 4_096);
  private static final Range WS_MAX_SUBSCRIPTIONS =
    new Range("wsMaxSubscriptions", "gateway.ws-max-subscriptions", 1, 10_000_000);

  private List<String> apiKeys = DEFAULT_API_KEYS;
  private List<String> adminKeys = DEFAULT_ADMIN_KEYS;
  private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  private long ratePerSecond = DEFAULT_RATE_PER_SECOND;
  private long rateBurst = DEFAULT_RATE_BURST;
  private int wsMaxFrameBytes = DEFAULT_WS_MAX_FRAME_BYTES;
  private int wsMaxQueuedBytes = DEFAULT_WS_MAX_QUEUED_BYTES;
  private long defaultTimeoutMs = DEFAULT_DEFAULT_TIMEOUT_MS;
  private int ingressBatchMax = DEFAULT_INGRESS_BATCH_MAX;
  private int wsMaxSubscriptions = DEFAULT_WS_MAX_SUBSCRIPTIONS;

  /** Options with every default. */
  public GatewayOptions() {
  }

  /** A copy of {@code other}. */
  public GatewayOptions(GatewayOptions other) {
    this.apiKeys = other.apiKeys;
    this.adminKeys = other.adminKeys;
    this.maxBodyBytes = other.maxBodyBytes;
    this.ratePerSecond = other.ratePerSecond;
    this.rateBurst = other.rateBurst;
    this.wsMaxFrameBytes = other.wsMaxFrameBytes;
    this.wsMaxQueuedBytes = other.wsMaxQueuedBytes;
    this.defaultTimeoutMs = other.defaultTimeoutMs;
    this.ingressBatchMax = other.ingressBatchMax;
    this.wsMaxSubscriptions = other.wsMaxSubscriptions;
  }

  /**
   * Options from JSON as {@link #toJson()} writes it; an absent field keeps its default.
   *
   * @throws IllegalArgumentException if a field has the wrong type or is not allowed
   */
  public GatewayOptions(JsonObject json) {
    setApiKeys(API_KEYS.read(json, apiKeys));
    setAdminKeys(ADMIN_KEYS.read(json, adminKeys));
    setMaxBodyBytes((int) MAX_BODY_BYTES.read(json, maxBodyBytes));
    setRatePerSecond(RATE_PER_SECOND.read(json, ratePerSecond));
    setRateBurst(RATE_BURST.read(json, rateBurst));
    setWsMaxFrameBytes((int) WS_MAX_FRAME_BYTES.read(json, wsMaxFrameBytes));
    setWsMaxQueuedBytes((int) WS_MAX_QUEUED_BYTES.read(json, wsMaxQueuedBytes));
    setDefaultTimeoutMs(DEFAULT_TIMEOUT_MS.read(json, defaultTimeoutMs));
    setIngressBatchMax((int) INGRESS_BATCH_MAX.read(json, ingressBatchMax));
    setWsMaxSubscriptions((int) WS_MAX_SUBSCRIPTIONS.read(json, wsMaxSubscriptions));
  }

  /** Every setting, under its name. */
  public JsonObject toJson() {
    return new JsonObject()
      .put(API_KEYS.field(), new JsonArray(new ArrayList<>(apiKeys)))
      .put(ADMIN_KEYS.field(), new JsonArray(new ArrayList<>(adminKeys)))
      .put(MAX_BODY_BYTES.field(), maxBodyBytes)
      .put(RATE_PER_SECOND.field(), ratePerSecond)
      .put(RATE_BURST.field(), rateBurst)
      .put(WS_MAX_FRAME_BYTES.field(), wsMaxFrameBytes)
      .put(WS_MAX_QUEUED_BYTES.field(), wsMaxQueuedBytes)
      .put(DEFAULT_TIMEOUT_MS.field(), defaultTimeoutMs)
      .put(INGRESS_BATCH_MAX.field(), ingressBatchMax)
      .put(WS_MAX_SUBSCRIPTIONS.field(), wsMaxSubscriptions);
  }

  public List<String> getApiKeys() {
    return apiKeys;
  }

  /** Accepted API keys, {@code id:sha256hex:scopes}. */
  public GatewayOptions setApiKeys(List<String> apiKeys) {
    this.apiKeys = API_KEYS.check(apiKeys);
    return this;
  }

  public List<String> getAdminKeys() {
    return adminKeys;
  }

  /** SHA-256 (hex) of admin keys ({@code http.admin-key-sha256}); API keys with the admin scope count too. */
  public GatewayOptions setAdminKeys(List<String> adminKeys) {
    this.adminKeys = ADMIN_KEYS.check(adminKeys);
    return this;
  }

  public int getMaxBodyBytes() {
    return maxBodyBytes;
  }

  /** Largest HTTP request body, in [1 KiB, 256 MiB]; larger ones get 413 TOO_LARGE. */
  public GatewayOptions setMaxBodyBytes(int maxBodyBytes) {
    this.maxBodyBytes = MAX_BODY_BYTES.check(maxBodyBytes);
    return this;
  }

  public long getRatePerSecond() {
    return ratePerSecond;
  }

  /**
   * Messages per second each API key may send (token bucket), in [1, 10000000]; past it 429 with
   * Retry-After.
   */
  public GatewayOptions setRatePerSecond(long ratePerSecond) {
    this.ratePerSecond = RATE_PER_SECOND.check(ratePerSecond);
    return this;
  }

  public long getRateBurst() {
    return rateBurst;
  }

  /** How many messages a key may send at once above its rate, in [1, 10000000]. */
  public GatewayOptions setRateBurst(long rateBurst) {
    this.rateBurst = RATE_BURST.check(rateBurst);
    return this;
  }

  public int getWsMaxFrameBytes() {
    return wsMaxFrameBytes;
  }

  /**
   * Largest WebSocket frame (and message) accepted, in [1 KiB, 64 MiB]; a larger one closes the socket
   * with 1009.
   */
  public GatewayOptions setWsMaxFrameBytes(int wsMaxFrameBytes) {
    this.wsMaxFrameBytes = WS_MAX_FRAME_BYTES.check(wsMaxFrameBytes);
    return this;
  }

  public int getWsMaxQueuedBytes() {
    return wsMaxQueuedBytes;
  }

  /**
   * Bytes queued to a slow WebSocket reader before the gateway stops reading from it (backpressure),
   * in [1 KiB, 1 GiB].
   */
  public GatewayOptions setWsMaxQueuedBytes(int wsMaxQueuedBytes) {
    this.wsMaxQueuedBytes = WS_MAX_QUEUED_BYTES.check(wsMaxQueuedBytes);
    return this;
  }

  public long getDefaultTimeoutMs() {
    return defaultTimeoutMs;
  }

  /** Deadline given to a message that names none, in [1, 600000] ms. */
  public GatewayOptions setDefaultTimeoutMs(long defaultTimeoutMs) {
    this.defaultTimeoutMs = DEFAULT_TIMEOUT_MS.check(defaultTimeoutMs);
    return this;
  }

  public int getWsMaxSubscriptions() {
    return wsMaxSubscriptions;
  }

  /**
   * Topics one WebSocket or bridge client may subscribe to at once, in [1, 10000000]; one more is
   * refused LIMIT_REACHED.
   */
  public GatewayOptions setWsMaxSubscriptions(int wsMaxSubscriptions) {
    this.wsMaxSubscriptions = WS_MAX_SUBSCRIPTIONS.check(wsMaxSubscriptions);
    return this;
  }

  /** The most requests handed to the mesh in one message (see {@code IngressBatcher}). */
  public int getIngressBatchMax() {
    return ingressBatchMax;
  }

  /** The most requests handed to the mesh in one message, in [1, 4096]. */
  public GatewayOptions setIngressBatchMax(int ingressBatchMax) {
    this.ingressBatchMax = INGRESS_BATCH_MAX.check(ingressBatchMax);
    return this;
  }

  private static Object shown(Object v) {
    return v instanceof String ? "'" + v + "'" : v;
  }

  /** An integer setting: its JSON field, its config key and the range the key allows. */
  private record Range(String field, String key, long min, long max) {

    long check(long v) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + v);
      }
      return v;
    }

    int check(int v) {
      return (int) check((long) v);
    }

    /** The value of {@link #field} in {@code json}, checked, or {@code absent} when there is none. */
    long read(JsonObject json, long absent) {
      if (!json.containsKey(field)) {
        return absent;
      }
      Object v = json.getValue(field);
      if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
        return check(((Number) v).longValue());
      }
      throw new IllegalArgumentException(key + " must be an integer in [" + min + ", " + max + "], got " + shown(v));
    }
  }

  /** A list setting: its JSON field, its config key, the pattern each item must match and its wording. */
  private record Strings(String field, String key, Pattern item, String allowed) {

    Strings(String field, String key, String itemRegex, String allowed) {
      this(field, key, Pattern.compile(itemRegex), allowed);
    }

    /** An unmodifiable copy of {@code v}, every item checked. */
    List<String> check(List<String> v) {
      if (v == null) {
        throw refused(null);
      }
      for (String s : v) {
        if (s == null || !item.matcher(s).matches()) {
          throw refused(shown(s));
        }
      }
      return List.copyOf(v);
    }

    /** The value of {@link #field} in {@code json}, checked, or {@code absent} when there is none. */
    List<String> read(JsonObject json, List<String> absent) {
      if (!json.containsKey(field)) {
        return absent;
      }
      if (!(json.getValue(field) instanceof JsonArray array)) {
        throw refused(shown(json.getValue(field)));
      }
      List<String> out = new ArrayList<>();
      for (Object i : array) {
        if (!(i instanceof String s)) {
          throw refused(shown(i));
        }
        out.add(s);
      }
      return check(out);
    }

    private IllegalArgumentException refused(Object shown) {
      return new IllegalArgumentException(key + " " + allowed + ", got " + shown);
    }
  }
}
