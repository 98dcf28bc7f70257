package io.netflow.gateway.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP API's request meter, {@code netflow_http_server_requests_seconds{method, route, code}}:
 * how many requests each route answered with each status, and how long they took to their
 * response's end (count, sum, max). Labelled by route pattern ({@code /v1/nodes/:id/drain}), never
 * by raw path, and by method only for the standard ones ({@code other} for the rest), so its size is
 * bounded by the routes and nothing a caller sends grows it.
 *
 * <p>Mounted first on the router. Each (route, method, status) finds its timer in a map of timers
 * already bound, rather than building tags and asking the registry on every request, as
 * vertx-micrometer's HTTP server metrics (switched off on the node) did four times per request:
 * 7.5% of the gateway's event loop under load.
 */
public final class HttpMetrics implements Handler<RoutingContext> {

  /** The meter's name, as Micrometer spells it; Prometheus shows {@code netflow_http_server_requests_seconds}. */
  public static final String NAME = "netflow.http.server.requests";

  private record Key(String route, String method, int status) {
  }

  /** The methods a tag may name; any other (a made-up method is anyone's to send) is {@code other}. */
  private static final Set<String> KNOWN = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
    "TRACE", "CONNECT");

  private final MeterRegistry registry;
  private final Map<Key, Timer> timers = new ConcurrentHashMap<>();

  public HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(v -> timer(path(ctx.currentRoute()), methodTag(ctx.request().method()), ctx.response().getStatusCode())
      .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    ctx.next();
  }

  /** Times a request served without the router ({@link DirectRoute}) under its route's pattern, as the router's are. */
  public void time(HttpServerRequest request, String route) {
    long start = System.nanoTime();
    HttpServerResponse response = request.response();
    response.endHandler(v -> timer(route, methodTag(request.method()), response.getStatusCode())
      .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  private static String path(Route route) {
    return route == null || route.getPath() == null ? "unmatched" : route.getPath();
  }

  private static String methodTag(HttpMethod method) {
    String name = method.name();
    return KNOWN.contains(name) ? name : "other";
  }

  private Timer timer(String route, String method, int status) {
    Key key = new Key(route, method, status);
    Timer timer = timers.get(key);
    return timer != null ? timer : timers.computeIfAbsent(key, k -> Timer.builder(NAME)
      .description("HTTP API requests by route pattern and status, and their time to the response's end")
      .tag("method", method)
      .tag("route", route)
      .tag("code", String.valueOf(status))
      .register(registry));
  }
}
