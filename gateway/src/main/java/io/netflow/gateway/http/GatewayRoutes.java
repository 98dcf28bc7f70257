package io.netflow.gateway.http;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.auth.Authenticate;
import io.netflow.gateway.bridge.BridgeGuard;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The message API for game servers and Micro Nodes: {@code POST /v1/messages},
 * {@code GET /v1/stream} (WebSocket), the SockJS event-bus bridge at {@code /eventbus}, and
 * {@code GET /v1/openapi.json}, the document that describes every route of the node.
 */
public final class GatewayRoutes implements RouteContributor {

  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private final GatewayOptions options;
  private final ApiKeys keys;
  private final Authenticate auth;
  private final String openApi;

  public GatewayRoutes(GatewayOptions options) {
    this.options = options;
    this.keys = ApiKeys.parse(options.getApiKeys());
    this.auth = new Authenticate(keys, options.getRatePerSecond(), options.getRateBurst());
    this.openApi = openApiDocument();
  }

  /** The authentication (and per-key rate) every API route shares. */
  public Authenticate authenticate() {
    return auth;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.post("/v1/messages")
      .handler(BodyHandler.create(false).setBodyLimit(options.getMaxBodyBytes()))
      .handler(auth)
      .handler(ctx -> post(vertx, ctx));
    // The SockJS event-bus bridge, for browsers and event-bus client libraries; see BridgeGuard.
    BridgeGuard guard = new BridgeGuard(keys, vertx, options.getWsMaxSubscriptions());
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(
      new SockJSBridgeOptions(new SockJSBridgeOptions().setInboundPermitteds(BridgeGuard.options().getInboundPermitteds())
        .setOutboundPermitteds(BridgeGuard.options().getOutboundPermitteds())),
      event -> {
        if (event.type() == BridgeEventType.SOCKET_CLOSED) {
          guard.closed(event.socket());
          event.complete(true);
          return;
        }
        guard.allows(event.type(), event.getRawMessage(), event.socket())
          .onComplete(ar -> event.complete(ar.succeeded() && ar.result()));
      }));
    router.get("/v1/openapi.json").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(openApi));
    router.post("/v1/nodes/:id/drain").handler(new AdminAuth(options.getAdminKeys(), keys)).handler(ctx -> drain(vertx, ctx));
    router.get("/v1/stream").handler(ctx -> {
      ApiKeys.Principal who = auth.streamPrincipal(ctx.request()).orElse(null);
      if (who == null) {
        HttpApiVerticle.error(ctx, ErrorCode.UNAUTHENTICATED, "an API key is required (Authorization header or ?key=)");
        return;
      }
      ctx.request().toWebSocket().onSuccess(ws -> new StreamSession(vertx, ws, who, auth, options).start());
    });
  }

  private void post(Vertx vertx, RoutingContext ctx) {
    MessageForm form;
    try {
      form = MessageForm.parse(ctx.body().buffer(), options.getDefaultTimeoutMs());
      ApiKeys.Principal who = ctx.get(Authenticate.PRINCIPAL);
      if (!who.may("publish", form.target())) {
        throw new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId() + " may not publish to '" + form.target() + "'");
      }
    } catch (MeshException bad) {
      HttpApiVerticle.fail(ctx, bad);
      return;
    }
    form.send(vertx, options.getIngressBatchMax()).onComplete(answer -> {
      if (answer.succeeded()) {
        ctx.response().setStatusCode(form.status()).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
          .end(answer.result().encode());
      } else {
        HttpApiVerticle.fail(ctx, MeshException.of(answer.cause()));
      }
    });
  }

  /** Puts a node (this one or any peer) into DRAINING; it stays up, taking no new work, until stopped. */
  private static void drain(Vertx vertx, RoutingContext ctx) {
    String node = ctx.pathParam("id");
    vertx.eventBus().<String>request(Addresses.nodeDrain(node), null, new DeliveryOptions().setSendTimeout(5_000))
      .onSuccess(state -> ctx.response().setStatusCode(202).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("node", node).put("state", state.body()).encode()))
      .onFailure(err -> {
        MeshException e = MeshException.of(err);
        HttpApiVerticle.fail(ctx, e.code() == ErrorCode.NO_HANDLERS ? new MeshException(ErrorCode.NOT_FOUND, "no node " + node) : e);
      });
  }

  private static String openApiDocument() {
    try (InputStream in = GatewayRoutes.class.getResourceAsStream("/openapi/netflow.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi/netflow.json is missing from the gateway jar");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).encode();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
