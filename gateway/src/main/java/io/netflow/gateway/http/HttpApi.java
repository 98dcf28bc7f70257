package io.netflow.gateway.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP API on several event loops: {@link HttpOptions#getInstances()} instances of
 * {@link HttpApiVerticle} sharing one port, as Vert.x scales a server (it hands each new connection
 * to the instances in turn; a connection, its WebSocket and its SSE stream stay on the instance
 * that took it). The first instance finds the port (the next free one within {@code http.port-count}),
 * the others bind that port; for port 0 they share one random port. Limits stay node-wide: the instances
 * count open connections together, and every part's limits (per-key rates, subscriptions, the
 * device budget) live in the parts, shared by all instances.
 */
public final class HttpApi {

  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  /** Negative ports handed out, one per deployment on a random port: instances share by equal port. */
  private static final AtomicInteger RANDOM_SHARED = new AtomicInteger();

  private final Vertx vertx;
  private final HttpApiVerticle first;
  private final List<String> deployments;
  private final int instances;

  private HttpApi(Vertx vertx, HttpApiVerticle first, List<String> deployments, int instances) {
    this.vertx = vertx;
    this.first = first;
    this.deployments = deployments;
    this.instances = instances;
  }

  /**
   * Deploys the instances; completes once all listen.
   *
   * @param eventLoops the Vert.x event loops, the instance count when {@code gateway.instances} is 0
   */
  public static Future<HttpApi> deploy(Vertx vertx, int eventLoops, HttpOptions options, HealthChecks liveness,
                                       HealthChecks readiness, PrometheusMeterRegistry registry,
                                       List<RouteContributor> contributors) {
    int n = options.instancesOn(eventLoops);
    AtomicInteger open = new AtomicInteger();
    // Vert.x shares a server between instances that ask for the same port. Port 0 cannot be shared
    // (each would get its own), so several instances ask for a negative port of their own: one
    // random port, shared.
    int first = options.getPort() == 0 && n > 1 ? -RANDOM_SHARED.incrementAndGet() : options.getPort();
    List<HttpApiVerticle> made = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    // One OpenAPI document for every instance.
    return OpenApiDocument.assemble(vertx, contributors).compose(doc -> vertx.deployVerticle(() -> {
      HttpApiVerticle v = new HttpApiVerticle(options, liveness, readiness, registry, contributors, open, first, doc);
      made.add(v);
      return v;
    }, new DeploymentOptions()).compose(id -> {
      ids.add(id);
      if (n == 1) {
        return Future.<Void>succeededFuture();
      }
      // The others take the port the first found (it may have moved on within http.port-count).
      int port = first < 0 ? first : made.get(0).actualPort();
      return vertx.deployVerticle(() -> new HttpApiVerticle(options, liveness, readiness, registry, contributors, open, port,
          doc), new DeploymentOptions().setInstances(n - 1)).onSuccess(ids::add).<Void>mapEmpty()
        .recover(err -> vertx.undeploy(id).transform(v -> Future.failedFuture(err)));
    })).map(v -> {
      LOG.info("HTTP API listening on {}://{}:{} ({} instance{}, at most {} connections)", options.isTls() ? "https" : "http",
        options.getHost(), made.get(0).actualPort(), n, n == 1 ? "" : "s", options.getMaxConnections());
      return new HttpApi(vertx, made.get(0), List.copyOf(ids), n);
    });
  }

  /** The port every instance listens on. */
  public int port() {
    return first.actualPort();
  }

  /** How many instances share it. */
  public int instances() {
    return instances;
  }

  /** Every route with a path, as {@code "METHOD /path"}; every instance mounts the same. */
  public SortedSet<String> routes() {
    return first.routes();
  }

  /** Stops every instance. */
  public Future<Void> undeploy() {
    List<Future<Void>> all = new ArrayList<>();
    deployments.forEach(id -> all.add(vertx.undeploy(id)));
    return Future.join(all).mapEmpty();
  }
}
