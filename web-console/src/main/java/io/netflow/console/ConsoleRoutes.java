package io.netflow.console;

import io.netflow.gateway.http.RouteContributor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Serves the browser console at {@code /console/} ({@code /} redirects there), its libraries
 * from WebJars at {@code /console/webjars/}, and its live feed at {@code /console/events}: a
 * server-sent event stream with one snapshot of the mesh every interval. The feed is read-only;
 * admin actions go through the API with an admin key.
 */
public class ConsoleRoutes implements RouteContributor {

  /** Where the console is served. */
  public static final String PATH = "/console";

  private final ConsoleFeed feed;
  private final long intervalMs;

  /**
   * @param intervalMs how often the feed sends a snapshot
   */
  public ConsoleRoutes(ConsoleFeed feed, long intervalMs) {
    this.feed = feed;
    this.intervalMs = intervalMs;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.get("/").handler(ctx -> ctx.redirect(PATH + "/"));
    // Vert.x matches "/console" to "/console/" as well: only the bare path is redirected.
    router.get(PATH).handler(ctx -> {
      if (ctx.request().path().endsWith("/")) {
        ctx.next();
      } else {
        ctx.redirect(PATH + "/");
      }
    });
    router.get(PATH + "/events").handler(ctx -> stream(vertx, ctx));
    router.get(PATH + "/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
    router.get(PATH + "/*").handler(StaticHandler.create("webroot/console").setCachingEnabled(false));
  }

  private void stream(Vertx vertx, RoutingContext ctx) {
    HttpServerResponse response = ctx.response().setChunked(true)
      .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
      .putHeader("X-Accel-Buffering", "no");
    // Tells EventSource how soon to come back after losing the node.
    response.write("retry: 1000\n\n");
    // The snapshot is shared by every HTTP instance and completes on whichever thread built it:
    // this stream writes on its own event loop.
    Context here = vertx.getOrCreateContext();
    long timer = vertx.setPeriodic(1, intervalMs, id -> {
      // A slow browser gets fewer snapshots rather than a growing queue.
      if (response.writeQueueFull()) {
        return;
      }
      feed.snapshot().onSuccess(s -> here.runOnContext(v -> {
        if (!response.closed()) {
          response.write("data: " + s.encode() + "\n\n");
        }
      }));
    });
    response.closeHandler(v -> vertx.cancelTimer(timer));
    response.exceptionHandler(e -> vertx.cancelTimer(timer));
  }
}
