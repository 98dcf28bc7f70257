package io.netflow.membership;

import io.netflow.gateway.auth.AdminAuth;
import io.netflow.gateway.http.RouteContributor;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.web.Answers;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The membership API: {@code GET /v1/mesh/nodes} (this node's view of the mesh, no key) and
 * {@code POST /v1/nodes/{id}/drain} (admin: put any node into DRAINING; it stays up, taking no new
 * work, until stopped). Both ask the membership verticle over the event bus.
 */
public final class MembershipRoutes implements RouteContributor {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(5_000);
  private static final DeliveryOptions ANY_NODE = new DeliveryOptions().setSendTimeout(5_000);

  private final AdminAuth admin;

  public MembershipRoutes(AdminAuth admin) {
    this.admin = admin;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.get("/v1/mesh/nodes").handler(ctx -> view(vertx, ctx));
    router.post("/v1/nodes/:id/drain").handler(admin).handler(ctx -> drain(vertx, ctx));
  }

  private static void view(Vertx vertx, RoutingContext ctx) {
    vertx.eventBus().<JsonObject>request(MembershipAddresses.MESH_VIEW, null, LOCAL)
      .onSuccess(reply -> Answers.json(ctx, 200, reply.body()))
      .onFailure(err -> {
        MeshException e = MeshException.of(err);
        // No consumer yet means the membership verticle is still starting.
        Answers.fail(ctx, e.code() == ErrorCode.NO_HANDLERS ? new MeshException(ErrorCode.NOT_READY, err.getMessage(), 1_000)
          : e);
      });
  }

  private static void drain(Vertx vertx, RoutingContext ctx) {
    String node = ctx.pathParam("id");
    vertx.eventBus().<String>request(MembershipAddresses.nodeDrain(node), null, ANY_NODE)
      .onSuccess(state -> Answers.json(ctx, 202, new JsonObject().put("node", node).put("state", state.body())))
      .onFailure(err -> {
        MeshException e = MeshException.of(err);
        Answers.fail(ctx, e.code() == ErrorCode.NO_HANDLERS ? new MeshException(ErrorCode.NOT_FOUND, "no node " + node) : e);
      });
  }
}
