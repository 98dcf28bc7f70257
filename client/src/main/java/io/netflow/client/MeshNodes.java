package io.netflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nodes of the mesh as a client sees them: it starts from the URLs the app gave, asks any of
 * them for the mesh ({@code GET /v1/mesh/nodes}) and ranks what it learns: ready nodes first
 * ({@code UP}, reporting), those in the client's region before others, the least utilised first
 * (the larger of CPU and the share of the node's concurrency limit in use). A node that failed
 * in the last {@link #FORGET_FAILED} goes last, even while the mesh still lists it (a dead node is
 * listed until its reports go stale). Thread-safe; {@link #ranked()} blocks for at most one timeout per node asked.
 */
public final class MeshNodes {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration FORGET_FAILED = Duration.ofSeconds(10);

  private final HttpClient http;
  private final List<URI> seeds;
  private final String apiKey;
  private final String region;
  private final Duration timeout;
  private final Set<URI> known = new LinkedHashSet<>();
  /** When each node last failed (System.nanoTime). */
  private final Map<URI, Long> failed = new HashMap<>();

  public MeshNodes(HttpClient http, List<URI> seeds, String apiKey, String region, Duration timeout) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("at least one node URL is needed");
    }
    this.http = http;
    this.seeds = List.copyOf(seeds);
    this.apiKey = apiKey;
    this.region = region;
    this.timeout = timeout;
    known.addAll(seeds);
  }

  /** Marks a node as failed: it is asked and tried last until it answers again. */
  public synchronized void failed(URI node) {
    failed.put(node, System.nanoTime());
  }

  /** The nodes to try, best first: the mesh's own view when a node answers, else every node known. */
  public List<URI> ranked() {
    for (URI node : candidates()) {
      try {
        HttpRequest req = MeshHttp.request(node.resolve("/v1/mesh/nodes")).timeout(timeout)
          .header("Authorization", "Bearer " + apiKey).GET().build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return rank(JSON.readTree(r.body()));
        }
      } catch (IOException e) {
        failed(node);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return candidates();
  }

  private synchronized List<URI> candidates() {
    Set<URI> order = new LinkedHashSet<>(known);
    order.addAll(seeds);
    return failedLast(new ArrayList<>(order));
  }

  private List<URI> failedLast(List<URI> nodes) {
    long now = System.nanoTime();
    failed.values().removeIf(t -> now - t > FORGET_FAILED.toNanos());
    nodes.sort(Comparator.comparing(failed::containsKey));
    return nodes;
  }

  private synchronized List<URI> rank(JsonNode view) {
    List<JsonNode> nodes = new ArrayList<>();
    view.path("nodes").forEach(nodes::add);
    nodes.sort(Comparator.comparing((JsonNode n) -> !ready(n))
      .thenComparing(n -> region != null && !region.equals(n.path("region").asText()))
      .thenComparingDouble(MeshNodes::utilisation));
    List<URI> ranked = new ArrayList<>();
    for (JsonNode n : nodes) {
      String url = n.path("httpUrl").asText("");
      if (!url.isEmpty()) {
        URI uri = URI.create(url);
        ranked.add(uri);
        known.add(uri);
      }
    }
    // A node the app named but the mesh does not list (another address for it, a proxy) comes after.
    Set<URI> order = new LinkedHashSet<>(ranked);
    order.addAll(seeds);
    return failedLast(new ArrayList<>(order));
  }

  private static boolean ready(JsonNode n) {
    return n.path("state").asText().equals("UP") && !n.path("stale").asBoolean();
  }

  static double utilisation(JsonNode n) {
    JsonNode traffic = n.path("traffic");
    double limit = traffic.path("concurrencyLimit").asDouble(0);
    double inFlight = limit > 0 ? traffic.path("inFlight").asDouble(0) / limit : 0;
    return Math.max(n.path("load").path("cpu").asDouble(0), inFlight);
  }
}
