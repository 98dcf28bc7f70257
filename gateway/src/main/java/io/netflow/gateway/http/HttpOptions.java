package io.netflow.gateway.http;

import io.vertx.core.json.JsonObject;

/**
 * Where the node's HTTP server listens.
 *
 * <p>When {@link #getPort() port} is taken, the server tries the next port, up to
 * {@link #getPortCount() portCount} ports in all, so several nodes on one machine find a free
 * port by themselves. Port 0 asks the operating system for any free port.
 */
public class HttpOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_PORT_COUNT = 100;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private int portCount = DEFAULT_PORT_COUNT;
  private int maxWebSocketBytes = 1 << 20;
  private int idleTimeoutSeconds = 60;
  private boolean webSocketCompression;
  private String tlsCertPath = "";
  private String tlsKeyPath = "";
  private int maxConnections = 10_000;

  public HttpOptions() {
  }

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
  }

  public HttpOptions(JsonObject json) {
    setHost(json.getString("host", DEFAULT_HOST));
    setPort(json.getInteger("port", DEFAULT_PORT));
    setPortCount(json.getInteger("port-count", DEFAULT_PORT_COUNT));
  }

  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port).put("port-count", portCount);
  }

  public String getHost() {
    return host;
  }

  /** The interface to bind; {@code 0.0.0.0} for all. */
  public HttpOptions setHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("http.host must not be empty");
    }
    this.host = host;
    return this;
  }

  public int getPort() {
    return port;
  }

  /** The first port to try, 0 for any free port. */
  public HttpOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("http.port must be in [0, 65535], got " + port);
    }
    this.port = port;
    return this;
  }

  public int getMaxWebSocketBytes() {
    return maxWebSocketBytes;
  }

  /** Largest WebSocket frame and message accepted; larger ones close the socket (1009). */
  public HttpOptions setMaxWebSocketBytes(int bytes) {
    if (bytes < 1024) {
      throw new IllegalArgumentException("gateway.ws-max-frame-bytes must be at least 1024, got " + bytes);
    }
    this.maxWebSocketBytes = bytes;
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
    if (certPath.isEmpty() != keyPath.isEmpty()) {
      throw new IllegalArgumentException("http.tls-cert and http.tls-key go together");
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

  /** A connection silent this long is closed (0: never). */
  public HttpOptions setIdleTimeoutSeconds(int seconds) {
    if (seconds < 0 || seconds > 86_400) {
      throw new IllegalArgumentException("gateway.idle-timeout-seconds must be in [0, 86400], got " + seconds);
    }
    this.idleTimeoutSeconds = seconds;
    return this;
  }

  public int getMaxConnections() {
    return maxConnections;
  }

  /** Open connections at most; one more is answered 503 OVERLOADED at its first request and closed. */
  public HttpOptions setMaxConnections(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("gateway.max-connections must be at least 1, got " + max);
    }
    this.maxConnections = max;
    return this;
  }

  public int getPortCount() {
    return portCount;
  }

  /** How many consecutive ports to try from {@link #getPort()}; 1 means exactly that port. */
  public HttpOptions setPortCount(int portCount) {
    if (portCount < 1 || portCount > 1000) {
      throw new IllegalArgumentException("http.port-count must be in [1, 1000], got " + portCount);
    }
    this.portCount = portCount;
    return this;
  }
}
