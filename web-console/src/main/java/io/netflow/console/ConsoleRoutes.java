package io.netflow.console;

import io.netflow.gateway.http.RouteContributor;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/** Serves the browser console at {@code /console/}; {@code /} redirects there. */
public class ConsoleRoutes implements RouteContributor {

  /** Where the console is served. */
  public static final String PATH = "/console";

  @Override
  public void mount(Vertx vertx, Router router) {
    router.get("/").handler(ctx -> ctx.redirect(PATH + "/"));
    router.get(PATH).handler(ctx -> ctx.redirect(PATH + "/"));
    router.get(PATH + "/*").handler(StaticHandler.create("webroot/console").setCachingEnabled(false));
  }
}
