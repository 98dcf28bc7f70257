package io.netflow.gateway.http;

import io.netflow.gateway.auth.Scope;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * A part of the node that serves its own routes on the node's one HTTP server: the message API,
 * the console, and each of the engine's capabilities. The gateway owns the server and knows no
 * part by name; a part brings everything of its surface with it, from its own package:
 * <ul>
 *   <li>its routes ({@link #mount});</li>
 *   <li>their OpenAPI fragment ({@link #openApi}): by default the resource
 *       {@code <SimpleName>.openapi.json} beside the class (e.g. {@code ModelRoutes.openapi.json}), {@code {"paths": {..}, "components": {..}}}, merged into the node's one
 *       document; request schemas are added to it from the capability's own schema files;</li>
 *   <li>the API-key scopes it checks ({@link #scopes}), which a configured key may then name;</li>
 *   <li>for a route hot enough that the router's own work shows, the same route served without the
 *       router ({@link #direct}).</li>
 * </ul>
 */
public interface RouteContributor {

  /** Adds this contributor's routes to the node's router. Called once, on the server's context. */
  void mount(Vertx vertx, Router router);

  /** This contributor's part of the OpenAPI document: {@code {"paths": .., "components": ..}}. */
  default JsonObject openApi() {
    return OpenApiDocument.fragment(getClass());
  }

  /**
   * Routes of this contributor's the server may serve before the router, for plain requests
   * ({@link DirectRoute}); each is mounted on the router as well. Called once, on the server's context.
   */
  default List<DirectRoute> direct(Vertx vertx) {
    return List.of();
  }

  /** The API-key scopes this contributor's routes check (keys may name only known scopes). */
  default List<Scope> scopes() {
    return List.of();
  }
}
