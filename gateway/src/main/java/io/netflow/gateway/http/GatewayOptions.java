package io.netflow.gateway.http;

import java.util.List;

/** The limits of the gateway's message API. Every one is enforced and has a config key. */
public class GatewayOptions {

  private List<String> apiKeys = List.of();
  private List<String> adminKeys = List.of();
  private int maxBodyBytes = 2 << 20;
  private long ratePerSecond = 1_000;
  private long rateBurst = 2_000;
  private int wsMaxFrameBytes = 1 << 20;
  private int wsMaxQueuedBytes = 4 << 20;
  private long defaultTimeoutMs = 5_000;
  private int ingressBatchMax = 64;
  private int wsMaxSubscriptions = 10_000;

  public List<String> getApiKeys() {
    return apiKeys;
  }

  /** Accepted API keys, {@code id:sha256hex:scopes}. */
  public GatewayOptions setApiKeys(List<String> apiKeys) {
    this.apiKeys = List.copyOf(apiKeys);
    return this;
  }

  public List<String> getAdminKeys() {
    return adminKeys;
  }

  /** SHA-256 (hex) of admin keys ({@code http.admin-key-sha256}); API keys with the admin scope count too. */
  public GatewayOptions setAdminKeys(List<String> adminKeys) {
    this.adminKeys = List.copyOf(adminKeys);
    return this;
  }

  public int getMaxBodyBytes() {
    return maxBodyBytes;
  }

  /** Largest HTTP request body; larger ones get 413 TOO_LARGE. */
  public GatewayOptions setMaxBodyBytes(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
    return this;
  }

  public long getRatePerSecond() {
    return ratePerSecond;
  }

  /** Messages per second each API key may send (token bucket); past it 429 with Retry-After. */
  public GatewayOptions setRatePerSecond(long ratePerSecond) {
    this.ratePerSecond = ratePerSecond;
    return this;
  }

  public long getRateBurst() {
    return rateBurst;
  }

  /** How many messages a key may send at once above its rate. */
  public GatewayOptions setRateBurst(long rateBurst) {
    this.rateBurst = rateBurst;
    return this;
  }

  public int getWsMaxFrameBytes() {
    return wsMaxFrameBytes;
  }

  /** Largest WebSocket frame (and message) accepted; a larger one closes the socket with 1009. */
  public GatewayOptions setWsMaxFrameBytes(int wsMaxFrameBytes) {
    this.wsMaxFrameBytes = wsMaxFrameBytes;
    return this;
  }

  public int getWsMaxQueuedBytes() {
    return wsMaxQueuedBytes;
  }

  /** Bytes queued to a slow WebSocket reader before the gateway stops reading from it (backpressure). */
  public GatewayOptions setWsMaxQueuedBytes(int wsMaxQueuedBytes) {
    this.wsMaxQueuedBytes = wsMaxQueuedBytes;
    return this;
  }

  public long getDefaultTimeoutMs() {
    return defaultTimeoutMs;
  }

  /** Deadline given to a message that names none. */
  public GatewayOptions setDefaultTimeoutMs(long defaultTimeoutMs) {
    this.defaultTimeoutMs = defaultTimeoutMs;
    return this;
  }

  public int getWsMaxSubscriptions() {
    return wsMaxSubscriptions;
  }

  /** Topics one WebSocket or bridge client may subscribe to at once; one more is refused LIMIT_REACHED. */
  public GatewayOptions setWsMaxSubscriptions(int wsMaxSubscriptions) {
    this.wsMaxSubscriptions = wsMaxSubscriptions;
    return this;
  }

  /** The most requests handed to the mesh in one message (see {@code IngressBatcher}). */
  public int getIngressBatchMax() {
    return ingressBatchMax;
  }

  public GatewayOptions setIngressBatchMax(int ingressBatchMax) {
    this.ingressBatchMax = ingressBatchMax;
    return this;
  }
}
