package io.netflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * A refusal from the mesh, with its stable code ({@code 1001} MALFORMED, {@code 1007}
 * RATE_LIMITED, ...; the README lists them) and, when trying again later may succeed, how long
 * the mesh asked to wait.
 */
public final class MeshError extends RuntimeException {

  /** The codes whose HTTP status is 429 or 503: the mesh is busy, the request may be fine. */
  private static final java.util.Set<Integer> BUSY = java.util.Set.of(1007, 1008, 1009, 1011, 1012, 1021);

  private final int code;
  private final String error;
  private final Duration retryAfter;

  public MeshError(int code, String error, String message, Duration retryAfter) {
    super(error + " (" + code + "): " + message);
    this.code = code;
    this.error = error;
    this.retryAfter = retryAfter;
  }

  /** Reads the mesh's error body ({@code {code, error, message, retryAfterMs?}}). */
  public static MeshError of(JsonNode body, Duration retryAfterHeader) {
    long ms = body.path("retryAfterMs").asLong(0);
    Duration wait = ms > 0 ? Duration.ofMillis(ms) : retryAfterHeader;
    return new MeshError(body.path("code").asInt(1000), body.path("error").asText("INTERNAL"),
      body.path("message").asText(""), wait);
  }

  public int code() {
    return code;
  }

  /** The code's name: {@code MALFORMED}, {@code RATE_LIMITED}, ... */
  public String error() {
    return error;
  }

  /** How long the mesh asked to wait before trying again; zero when it did not say. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /**
   * Whether the same request may succeed later (429 and 503: rate limited, overloaded, not ready,
   * draining, no node serving yet). Every other 4xx says the request itself is wrong: never retried.
   */
  public boolean retryable() {
    return BUSY.contains(code);
  }
}
