package io.netflow.gateway.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where the node's HTTP server listens, and the limits of its connections.
 *
 * <p>When {@link #getPort() port} is taken, the server tries the next port, up to
 * {@link #getPortCount() portCount} ports in all, so several nodes on one machine find a free
 * port by themselves. Port 0 asks the operating system for any free port.
 *
 * <p>Each setting has a config key ({@code http.*}, {@code gateway.*}) and takes what that key allows:
 * a setter, or the JSON constructor, given anything else throws {@link IllegalArgumentException}
 * naming the key, the value and what is allowed. JSON fields are the settings' names ({@code host},
 * {@code portCount}, ...); unknown fields are ignored.
 */
public class HttpOptions {

  /** Default interface bound: the loopback one. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default first port tried: 8080. */
  public static final int DEFAULT_PORT = 8080;
  /** Default number of ports tried: 100. */
  public static final int DEFAULT_PORT_COUNT = 100;
  /** Default largest WebSocket frame and message: 1 MiB. */
  public static final int DEFAULT_MAX_WEB_SOCKET_BYTES = 1 << 20;
  /** Default silence after which a connection is closed: 60 s. */
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
  /** Default WebSocket compression: off. */
  public static final boolean DEFAULT_WEB_SOCKET_COMPRESSION = false;
  /** Default TLS certificate chain: none (plain HTTP). */
  public static final String DEFAULT_TLS_CERT_PATH = "";
  /** Default TLS private key: none (plain HTTP). */
  public static final String DEFAULT_TLS_KEY_PATH = "";
  /** Default open connections at most: 10,000. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** Default HTTP server instances: 0, one per event loop. */
  public static final int DEFAULT_INSTANCES = 0;
  /** Default origins whose browser pages may call the API: none (same origin only). */
  public static final List<String> DEFAULT_CORS_ORIGINS = List.of();
  /** An origin as a browser sends it ({@code https://game.example:8443}), or {@code *} for any. */
  private static final Pattern ORIGIN = Pattern.compile("\\*|https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?");
  private static final String CORS_ORIGINS = "corsOrigins";

  private static final Range PORT = new Range("port", "http.port", 0, 65535);
  private static final Range PORT_COUNT = new Range("portCount", "http.port-count", 1, 1000);
  private static final Range MAX_WEB_SOCKET_BYTES =
    new Range("maxWebSocketBytes", "gateway.ws-max-frame-bytes", 1024, 64 << 20);
  private static final Range IDLE_TIMEOUT_SECONDS =
    new Range("idleTimeoutSeconds", "gateway.idle-timeout-seconds", 0, 86_400);
  private static final Range MAX_CONNECTIONS = new Range("maxConnections", "gateway.max-connections", 1, 10_000_000);
  private static final Range INSTANCES = new Range("instances", "gateway.instances", 0, 1024);
  private static final Text HOST = new Text("host", "http.host", "[A-Za-z0-9][A-Za-z0-9.:-]{0,252}",
    "must be an IP address or host name");
  private static final Text TLS_CERT_PATH = new Text("tlsCertPath", "http.tls-cert", ".{0,4096}", "must be a path");
  private static final Text TLS_KEY_PATH = new Text("tlsKeyPath", "http.tls-key", ".{0,4096}", "must be a path");
  private static final String WEB_SOCKET_COMPRESSION = "webSocketCompression";

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private int portCount = DEFAULT_PORT_COUNT;
  private int maxWebSocketBytes = DEFAULT_MAX_WEB_SOCKET_BYTES;
  private int idleTimeoutSeconds = DEFAULT_IDLE_TIMEOUT_SECONDS;
  private boolean webSocketCompression = DEFAULT_WEB_SOCKET_COMPRESSION;
  private String tlsCertPath = DEFAULT_TLS_CERT_PATH;
  private String tlsKeyPath = DEFAULT_TLS_KEY_PATH;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  private int instances = DEFAULT_INSTANCES;
  private List<String> corsOrigins = DEFAULT_CORS_ORIGINS;

  /** Options with every default. */
  public HttpOptions() {
  }

  /** A copy of {@code other}. */
  public HttpOptions(HttpOptions other) {
    this.host = other.host;
    this.port = other.port;
    this.portCount = other.portCount;
    this.maxWebSocketBytes = other.maxWebSocketBytes;
    this.idleTimeoutSeconds = other.idleTimeoutSeconds;
    this.webSocketCompression = other.webSocketCompression;
    this.tlsCertPath = other.tlsCertPath;
    this.tlsKeyPath = other.tlsKeyPath;
    this.maxConnections = other.maxConnections;
    this.instances = other.instances;
    this.corsOrigins = other.corsOrigins;
  }

  /**
   * Options from JSON as {@link #toJson()} writes it; an absent field keeps its default.
   *
   * @throws IllegalArgumentException if a field has the wrong type or is not allowed
   */
  public HttpOptions(JsonObject json) {
    setHost(HOST.read(json, host));
    setPort((int) PORT.read(json, port));
    setPortCount((int) PORT_COUNT.read(json, portCount));
    setMaxWebSocketBytes((int) MAX_WEB_SOCKET_BYTES.read(json, maxWebSocketBytes));
    setIdleTimeoutSeconds((int) IDLE_TIMEOUT_SECONDS.read(json, idleTimeoutSeconds));
    setTls(TLS_CERT_PATH.read(json, tlsCertPath), TLS_KEY_PATH.read(json, tlsKeyPath));
    setMaxConnections((int) MAX_CONNECTIONS.read(json, maxConnections));
    setInstances((int) INSTANCES.read(json, instances));
    if (json.containsKey(WEB_SOCKET_COMPRESSION)) {
      if (!(json.getValue(WEB_SOCKET_COMPRESSION) instanceof Boolean on)) {
        throw new IllegalArgumentException("gateway.ws-compression must be true or false, got "
          + shown(json.getValue(WEB_SOCKET_COMPRESSION)));
      }
      setWebSocketCompression(on);
    }
    if (json.containsKey(CORS_ORIGINS)) {
      if (!(json.getValue(CORS_ORIGINS) instanceof JsonArray origins)) {
        throw new IllegalArgumentException("gateway.cors-origins must be a list of origins, got "
          + shown(json.getValue(CORS_ORIGINS)));
      }
      List<String> list = new ArrayList<>();
      for (Object o : origins) {
        if (!(o instanceof String s)) {
          throw new IllegalArgumentException("gateway.cors-origins must be a list of origins, got " + shown(o));
        }
        list.add(s);
      }
      setCorsOrigins(list);
    }
  }

  /** Every setting, under its name. */
  public JsonObject toJson() {
    return new JsonObject()
      .put(HOST.field(), host)
      .put(PORT.field(), port)
      .put(PORT_COUNT.field(), portCount)
      .put(MAX_WEB_SOCKET_BYTES.field(), maxWebSocketBytes)
      .put(IDLE_TIMEOUT_SECONDS.field(), idleTimeoutSeconds)
      .put(WEB_SOCKET_COMPRESSION, webSocketCompression)
      .put(TLS_CERT_PATH.field(), tlsCertPath)
      .put(TLS_KEY_PATH.field(), tlsKeyPath)
      .put(MAX_CONNECTIONS.field(), maxConnections)
      .put(INSTANCES.field(), instances)
      .put(CORS_ORIGINS, new JsonArray(corsOrigins));
  }

  public String getHost() {
    return host;
  }

  /** The interface to bind, an IP address or host name; {@code 0.0.0.0} for all. */
  public HttpOptions setHost(String host) {
    this.host = HOST.check(host);
    return this;
  }

  public int getPort() {
    return port;
  }

  /** The first port to try, in [0, 65535]; 0 for any free port. */
  public HttpOptions setPort(int port) {
    this.port = PORT.check(port);
    return this;
  }

  public int getMaxWebSocketBytes() {
    return maxWebSocketBytes;
  }

  /** Largest WebSocket frame and message accepted, in [1 KiB, 64 MiB]; larger ones close the socket (1009). */
  public HttpOptions setMaxWebSocketBytes(int bytes) {
    this.maxWebSocketBytes = MAX_WEB_SOCKET_BYTES.check(bytes);
    return this;
  }

  /** Whether the server speaks TLS (both a certificate and a key are set). */
  public boolean isTls() {
    return !tlsCertPath.isEmpty() && !tlsKeyPath.isEmpty();
  }

  public String getTlsCertPath() {
    return tlsCertPath;
  }

  public String getTlsKeyPath() {
    return tlsKeyPath;
  }

  /** PEM certificate chain and private key for HTTPS (and WSS); both empty for plain HTTP. */
  public HttpOptions setTls(String certPath, String keyPath) {
    TLS_CERT_PATH.check(certPath);
    TLS_KEY_PATH.check(keyPath);
    if (certPath.isEmpty() != keyPath.isEmpty()) {
      throw new IllegalArgumentException(TLS_CERT_PATH.key() + " and " + TLS_KEY_PATH.key()
        + " must both be set or both be empty, got '" + certPath + "' and '" + keyPath + "'");
    }
    this.tlsCertPath = certPath;
    this.tlsKeyPath = keyPath;
    return this;
  }

  public boolean isWebSocketCompression() {
    return webSocketCompression;
  }

  /**
   * Whether WebSocket clients may negotiate compression (permessage-deflate, deflate-frame). Off,
   * the server has no extension handler in its pipelines, which every HTTP response otherwise
   * passes through.
   */
  public HttpOptions setWebSocketCompression(boolean on) {
    this.webSocketCompression = on;
    return this;
  }

  public int getIdleTimeoutSeconds() {
    return idleTimeoutSeconds;
  }

  /** A connection silent this long is closed (0: never); in [0, 86400] seconds. */
  public HttpOptions setIdleTimeoutSeconds(int seconds) {
    this.idleTimeoutSeconds = IDLE_TIMEOUT_SECONDS.check(seconds);
    return this;
  }

  public int getMaxConnections() {
    return maxConnections;
  }

  /**
   * Open connections at most, in [1, 10000000]; one more is answered 503 OVERLOADED at its first
   * request and closed.
   */
  public HttpOptions setMaxConnections(int max) {
    this.maxConnections = MAX_CONNECTIONS.check(max);
    return this;
  }

  public int getInstances() {
    return instances;
  }

  /**
   * HTTP server instances sharing the port, in [0, 1024]: each runs on its own event loop and
   * takes its share of the connections; 0 is one per event loop of the node.
   */
  public HttpOptions setInstances(int n) {
    this.instances = INSTANCES.check(n);
    return this;
  }

  /** The instances to deploy on a Vert.x with {@code eventLoops} event loops. */
  public int instancesOn(int eventLoops) {
    return instances == 0 ? Math.max(1, eventLoops) : instances;
  }

  public List<String> getCorsOrigins() {
    return corsOrigins;
  }

  /**
   * The origins whose browser pages may call the API and read its answers (CORS): each
   * {@code http(s)://host[:port]}, or {@code *} for any; empty for none (same origin only).
   */
  public HttpOptions setCorsOrigins(List<String> origins) {
    for (String o : origins) {
      if (o == null || !ORIGIN.matcher(o).matches()) {
        throw new IllegalArgumentException("gateway.cors-origins must list origins such as https://game.example:8443 "
          + "or *, got " + shown(o));
      }
    }
    this.corsOrigins = List.copyOf(origins);
    return this;
  }

  public int getPortCount() {
    return portCount;
  }

  /** How many consecutive ports to try from {@link #getPort()}, in [1, 1000]; 1 means exactly that port. */
  public HttpOptions setPortCount(int portCount) {
    this.portCount = PORT_COUNT.check(portCount);
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

  /** A text setting: its JSON field, its config key, the pattern the key allows and its wording. */
  private record Text(String field, String key, Pattern pattern, String allowed) {

    Text(String field, String key, String regex, String allowed) {
      this(field, key, Pattern.compile(regex), allowed);
    }

    String check(String v) {
      if (v == null || !pattern.matcher(v).matches()) {
        throw new IllegalArgumentException(key + " " + allowed + ", got " + shown(v));
      }
      return v;
    }

    /** The value of {@link #field} in {@code json}, checked, or {@code absent} when there is none. */
    String read(JsonObject json, String absent) {
      if (!json.containsKey(field)) {
        return absent;
      }
      Object v = json.getValue(field);
      if (v instanceof String s) {
        return check(s);
      }
      throw new IllegalArgumentException(key + " " + allowed + ", got " + shown(v));
    }
  }
}
