package io.netflow.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

/**
 * A route the HTTP server serves straight from its request handler, without vertx-web's router:
 * for the one route every game server and Micro Node calls for every message ({@code POST
 * /v1/messages}), the router's work per request (a routing context, the walk over the routes and
 * their handlers, the body handler's buffering) was a fifth of the gateway's event loop
 * ({@code GatewayBench}). Only plain requests come this way: HTTP/1.x, a {@code Content-Length}, no
 * {@code Expect}, and no {@code Origin} when CORS is on; any other goes through the router, where
 * the same route is mounted too ({@link RouteContributor#mount}) and answers alike. The server
 * meters it under {@link #path} as the router's requests are ({@link HttpMetrics}).
 *
 * @param method  the method it serves
 * @param path    the exact path it serves, as mounted on the router
 * @param handler serves the request: reads its body (at most {@code Content-Length} bytes, checked
 *                against its own limit first) and answers it
 */
public record DirectRoute(HttpMethod method, String path, Handler<HttpServerRequest> handler) {
}
