package io.netflow.gateway.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * A part of the node that serves its own routes on the node's one HTTP server (the web console,
 * later the engine's admin routes). The gateway owns the server; contributors only add routes.
 */
@FunctionalInterface
public interface RouteContributor {

  /** Adds this contributor's routes to the node's router. Called once, on the server's context. */
  void mount(Vertx vertx, Router router);
}
