package io.netflow.gateway.http;

import io.netflow.gateway.auth.AdminAuth;
import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.auth.Authenticate;
import io.netflow.gateway.auth.Scope;
import io.netflow.gateway.bridge.BridgeGuard;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.web.Answers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message API for game servers and Micro Nodes: {@code POST /v1/messages},
 * {@code GET /v1/stream} (WebSocket) and the SockJS event-bus bridge at {@code /eventbus}. It owns
 * the node's API keys: the authentication (and per-key rate) and the admin check every part's
 * routes share.
 */
public final class GatewayRoutes implements RouteContributor {

  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final String MESSAGES = "/v1/messages";
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRoutes.class);

  private final GatewayOptions options;
  private volatile boolean draining;
  private final ApiKeys keys;
  private final Authenticate auth;
  private final AdminAuth admin;

  /** The scopes the message API checks. */
  public static final List<Scope> SCOPES = List.of(
    new Scope("publish", true, "send to services and publish to topics whose names match"),
    new Scope("subscribe", true, "subscribe to topics whose names match"));

  /**
   * @throws IllegalArgumentException naming a malformed API key entry
   */
  public GatewayRoutes(GatewayOptions options) {
    this.options = options;
    this.keys = ApiKeys.parse(options.getApiKeys());
    this.auth = new Authenticate(keys, options.getRatePerSecond(), options.getRateBurst());
    this.admin = new AdminAuth(options.getAdminKeys(), keys);
  }

  /** The node's API keys. */
  public ApiKeys keys() {
    return keys;
  }

  /** The authentication (and per-key rate) every API route shares. */
  public Authenticate authenticate() {
    return auth;
  }

  /** The check every admin route shares: an admin key, or an API key with the admin scope. */
  public AdminAuth admin() {
    return admin;
  }

  @Override
  public List<Scope> scopes() {
    return SCOPES;
  }

  /**
   * {@code POST /v1/messages} without the router, for plain requests (see {@link DirectRoute}): what
   * the routed one does, in the same order (the body's size, then its reading, then the key and its
   * rate), with the same answers.
   */
  @Override
  public List<DirectRoute> direct(Vertx vertx) {
    return List.of(new DirectRoute(HttpMethod.POST, MESSAGES, req -> {
      long length;
      try {
        length = Long.parseLong(req.getHeader(HttpHeaders.CONTENT_LENGTH));
      } catch (NumberFormatException e) {
        length = -1;
      }
      if (length < 0 || length > options.getMaxBodyBytes()) {
        Answers.error(req.response(), length < 0 ? ErrorCode.MALFORMED : ErrorCode.TOO_LARGE,
          length < 0 ? "malformed request" : "request body over the limit");
        return;
      }
      req.body().onComplete(body -> {
        if (body.failed()) {
          return; // the connection closed before the body was read: nobody to answer
        }
        try {
          ApiKeys.Principal who = auth.admit(req);
          if (who != null) {
            post(vertx, body.result(), who, req.response());
          }
        } catch (RuntimeException bug) {
          // As the router's 500 handler answers a route that threw.
          LOG.warn("POST {} failed: {}", MESSAGES, bug.toString());
          Answers.error(req.response(), ErrorCode.INTERNAL, null);
        }
      });
    }));
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    // A draining node sends its WebSocket clients away (StreamSession) and takes no new ones.
    vertx.eventBus().localConsumer(Addresses.NODE_DRAINING, m -> draining = true);
    router.post(MESSAGES)
      .handler(BodyHandler.create(false).setBodyLimit(options.getMaxBodyBytes()))
      .handler(auth)
      .handler(ctx -> post(vertx, ctx.body().buffer(), ctx.get(Authenticate.PRINCIPAL), ctx.response()));
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
    router.get("/v1/stream").handler(ctx -> {
      ApiKeys.Principal who = auth.streamPrincipal(ctx.request()).orElse(null);
      if (who == null) {
        Answers.error(ctx, ErrorCode.UNAUTHENTICATED, "an API key is required (Authorization header or ?key=)");
        return;
      }
      if (draining) {
        Answers.fail(ctx, new MeshException(ErrorCode.DRAINING, "this node is draining: connect to another", 1_000));
        return;
      }
      ctx.request().toWebSocket().onSuccess(ws -> new StreamSession(vertx, ws, who, auth, options, () -> draining).start());
    });
  }

  /** Takes a message a caller sent, once its body is read and the caller let in, and answers it. */
  private void post(Vertx vertx, Buffer body, ApiKeys.Principal who, HttpServerResponse response) {
    MessageForm form;
    try {
      form = MessageForm.parse(body, options.getDefaultTimeoutMs());
      if (!who.may("publish", form.target())) {
        throw new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId() + " may not publish to '" + form.target() + "'");
      }
    } catch (MeshException bad) {
      Answers.fail(response, bad);
      return;
    }
    form.send(vertx, options.getIngressBatchMax()).onComplete(answer -> {
      if (answer.succeeded()) {
        response.setStatusCode(form.status()).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
          .end(answer.result().encode());
      } else {
        Answers.fail(response, MeshException.of(answer.cause()));
      }
    });
  }
}
