package io.netflow.scheduling;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.auth.Authenticate;
import io.netflow.gateway.auth.Scope;
import io.netflow.gateway.http.RouteContributor;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.web.Answers;
import io.netflow.scheduling.impl.WorkRequests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;

/**
 * The work API: {@code POST /v1/work} (a key with {@code work:<kind>}; 201 when queued, 200 when
 * the id was already submitted), {@code GET /v1/work/{id}} and {@code DELETE /v1/work/{id}}
 * (cancel), both for the key that submitted the item or an admin key; others get 404.
 */
public final class WorkRoutes implements RouteContributor {

  private final Scheduler scheduler;
  private final Authenticate auth;
  private final int maxBodyBytes;

  public WorkRoutes(Scheduler scheduler, Authenticate auth, int maxBodyBytes) {
    this.scheduler = scheduler;
    this.auth = auth;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The scope the work API checks. */
  public static final List<Scope> SCOPES = List.of(new Scope("work", true,
    "submit deferred work of the kinds whose names match"));

  @Override
  public List<Scope> scopes() {
    return SCOPES;
  }

  @Override
  public JsonObject openApi() {
    return WorkRequests.SCHEMA.describeIn(RouteContributor.super.openApi(), "WorkRequest");
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.post("/v1/work").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(auth)
      .handler(this::submit);
    router.get("/v1/work/:id").handler(auth).handler(ctx -> owned(ctx, scheduler.status(ctx.pathParam("id")))
      .onSuccess(status -> Answers.json(ctx, 200, status))
      .onFailure(err -> Answers.fail(ctx, MeshException.of(err))));
    // Answered once, whichever step fails: the lookup, the ownership check or the cancel.
    router.delete("/v1/work/:id").handler(auth).handler(ctx -> owned(ctx, scheduler.status(ctx.pathParam("id")))
      .compose(status -> scheduler.cancel(status.getString("id")))
      .onSuccess(status -> Answers.json(ctx, WorkState.valueOf(status.getString("state")).finished() ? 200 : 202, status))
      .onFailure(err -> Answers.fail(ctx, MeshException.of(err))));
  }

  private void submit(RoutingContext ctx) {
    JsonObject request;
    ApiKeys.Principal who = ctx.get(Authenticate.PRINCIPAL);
    try {
      request = WorkRequests.SCHEMA.check(Answers.jsonBody(ctx));
      if (!who.may("work", request.getString("kind"))) {
        throw new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId() + " may not submit work of kind '"
          + request.getString("kind") + "'");
      }
    } catch (MeshException bad) {
      Answers.fail(ctx, bad);
      return;
    }
    scheduler.submit(request, who.keyId())
      .onSuccess(status -> {
        ctx.response().putHeader(HttpHeaders.LOCATION, "/v1/work/" + status.getString("id"));
        Answers.json(ctx, status.getBoolean("created") ? 201 : 200, status);
      })
      .onFailure(err -> Answers.fail(ctx, MeshException.of(err)));
  }

  /** The item, if the caller submitted it or is an admin; NOT_FOUND otherwise (as if it did not exist). */
  private static Future<JsonObject> owned(RoutingContext ctx, Future<JsonObject> status) {
    ApiKeys.Principal who = ctx.get(Authenticate.PRINCIPAL);
    return status.compose(s -> who.has("admin") || who.keyId().equals(s.getString("submittedBy"))
        ? Future.succeededFuture(s)
        : Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "no work item " + s.getString("id"))));
  }
}
