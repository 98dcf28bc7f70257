package io.netflow.gateway.web;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * How every route of the node answers: JSON bodies, and errors as the protocol's
 * {@code {code, error, message}} with the HTTP status of their {@link ErrorCode} (and
 * {@code Retry-After} when the mesh said how long to wait). The one place routes of any part of
 * the node (gateway, console, engine) share, so that none of them reaches into another.
 */
public final class Answers {

  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private Answers() {
  }

  /** Ends the request with the protocol's JSON error body (no-op once the response has ended). */
  public static void error(RoutingContext ctx, ErrorCode code, String detail) {
    error(ctx.response(), code, detail);
  }

  /** {@link #error(RoutingContext, ErrorCode, String)}, for a request served without the router. */
  public static void error(HttpServerResponse response, ErrorCode code, String detail) {
    if (response.ended()) {
      return;
    }
    response
      .setStatusCode(code.httpStatus())
      .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
      .end(code.toJson(detail).encode());
  }

  /** The error body of a failure, with Retry-After when the mesh said how long to wait. */
  public static void fail(RoutingContext ctx, MeshException e) {
    fail(ctx.response(), e);
  }

  /** {@link #fail(RoutingContext, MeshException)}, for a request served without the router. */
  public static void fail(HttpServerResponse response, MeshException e) {
    if (response.ended()) {
      return;
    }
    if (e.retryAfterMs() > 0 || e.code() == ErrorCode.OVERLOADED) {
      response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, (e.retryAfterMs() + 999) / 1000)));
    }
    // Retry-After speaks in whole seconds; a client that can wait less reads the body's retryAfterMs.
    response.setStatusCode(e.code().httpStatus()).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
      .end(e.toJson().encode());
  }

  /** Answers {@code status} with a JSON body. */
  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(body.encode());
  }

  /** Answers {@code status} with the JSON {@code body} yields, or the coded error it fails with. */
  public static void json(RoutingContext ctx, int status, Future<JsonObject> body) {
    body.onSuccess(json -> json(ctx, status, json)).onFailure(err -> fail(ctx, MeshException.of(err)));
  }

  /**
   * The request body as a JSON value.
   *
   * @throws MeshException MALFORMED when it is empty or not JSON
   */
  public static Object jsonBody(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      throw new MeshException(ErrorCode.MALFORMED, "the body must be JSON");
    }
    try {
      return raw.toJsonValue();
    } catch (DecodeException e) {
      throw new MeshException(ErrorCode.MALFORMED, "the body is not valid JSON");
    }
  }
}
