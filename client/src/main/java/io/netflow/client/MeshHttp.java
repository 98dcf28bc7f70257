package io.netflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * HTTP requests to the mesh, to whichever node answers: the nodes in {@link MeshNodes}' order (kept
 * for {@link #REFRESH}, ranked again sooner after a failure), the next on a connection failure.
 * Any HTTP answer is returned as is, with the wait the mesh asked for ({@code retryAfterMs} in the
 * body, else {@code Retry-After}); deciding what a status means is the caller's. Thread-safe.
 */
public final class MeshHttp {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration REFRESH = Duration.ofSeconds(30);

  /**
   * A request to a node, in HTTP/1.1: what nodes serve and what the client's WebSocket uses. The
   * JDK client's default, HTTP/2, opens each new connection with an {@code h2c} upgrade that the
   * node accepts and serves on code nothing else there runs, cold: a client moving off a draining
   * node waited 0.5-1.1 s for its first answer from a node it had not asked before
   * ({@code ClientFailoverIT}), 36-89 ms in HTTP/1.1.
   */
  public static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).version(HttpClient.Version.HTTP_1_1);
  }

  /** A node's answer. */
  public record Answer(URI node, int status, JsonNode body, Duration retryAfter) {

    public boolean ok() {
      return status / 100 == 2;
    }

    /** 429 or 503: the mesh is busy; the same request may succeed after {@link #retryAfter()}. */
    public boolean busy() {
      return status == 429 || status == 503;
    }

    public MeshError error() {
      return MeshError.of(body, retryAfter);
    }
  }

  private final HttpClient http;
  private final MeshNodes nodes;
  private final String apiKey;
  private final Duration timeout;
  private List<URI> order;
  private long rankedAtNanos;

  public MeshHttp(HttpClient http, MeshNodes nodes, String apiKey, Duration timeout) {
    this.http = http;
    this.nodes = nodes;
    this.apiKey = apiKey;
    this.timeout = timeout;
  }

  /**
   * Sends {@code method path} (with a JSON body, or none when null) to the best node that answers.
   *
   * @throws IOException when no node could be reached
   */
  public Answer send(String method, String path, String jsonBody) throws IOException {
    IOException last = null;
    for (URI node : order()) {
      HttpRequest.Builder req = request(node.resolve(path)).timeout(timeout)
        .header("Authorization", "Bearer " + apiKey)
        .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
      if (jsonBody != null) {
        req.header("Content-Type", "application/json");
      }
      try {
        HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        long ms = body.path("retryAfterMs").asLong(0);
        Duration wait = ms > 0 ? Duration.ofMillis(ms)
          : Duration.ofSeconds(r.headers().firstValueAsLong("Retry-After").orElse(0));
        return new Answer(node, r.statusCode(), body, wait);
      } catch (IOException e) {
        nodes.failed(node);
        synchronized (this) {
          order = null;
        }
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw last != null ? last : new IOException("no node to ask");
  }

  private synchronized List<URI> order() {
    if (order == null || System.nanoTime() - rankedAtNanos > REFRESH.toNanos()) {
      order = nodes.ranked();
      rankedAtNanos = System.nanoTime();
    }
    return order;
  }
}
