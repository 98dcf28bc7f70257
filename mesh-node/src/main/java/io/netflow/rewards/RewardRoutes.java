package io.netflow.rewards;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.auth.Authenticate;
import io.netflow.gateway.auth.Scope;
import io.netflow.gateway.http.RouteContributor;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.web.Answers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;

/**
 * The rewards API: {@code GET /v1/rewards/schedule} (any key), {@code POST /v1/rewards/contributions}
 * (a key with {@code contribute}; the contributor is the key's id; 201 with a receipt, 200 with
 * the same receipt for a retry) and {@code GET /v1/rewards/{contributor}} (that contributor's
 * key, or an admin key).
 */
public final class RewardRoutes implements RouteContributor {

  private final RewardsVerticle rewards;
  private final RewardOptions options;
  private final Authenticate auth;
  private final int maxBodyBytes;

  public RewardRoutes(RewardsVerticle rewards, RewardOptions options, Authenticate auth, int maxBodyBytes) {
    this.rewards = rewards;
    this.options = options;
    this.auth = auth;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The scope the rewards API checks. */
  public static final List<Scope> SCOPES = List.of(new Scope("contribute", false,
    "contribute data for rewards, as the key's own contributor"));

  @Override
  public List<Scope> scopes() {
    return SCOPES;
  }

  @Override
  public JsonObject openApi() {
    return Contribution.SCHEMA.describeIn(RouteContributor.super.openApi(), "Contribution");
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.get("/v1/rewards/schedule").handler(auth).handler(ctx -> Answers.json(ctx, 200, rewards.schedule()));
    router.post("/v1/rewards/contributions").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
      .handler(auth).handler(ctx -> contribute(vertx, ctx));
    router.get("/v1/rewards/:contributor").handler(auth).handler(ctx -> {
      ApiKeys.Principal who = ctx.get(Authenticate.PRINCIPAL);
      String contributor = ctx.pathParam("contributor");
      if (!who.keyId().equals(contributor) && !who.has("admin")) {
        Answers.fail(ctx, new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId()
          + " may read only its own rewards"));
        return;
      }
      Answers.json(ctx, 200, rewards.account(contributor));
    });
  }

  private void contribute(Vertx vertx, RoutingContext ctx) {
    ApiKeys.Principal who = ctx.get(Authenticate.PRINCIPAL);
    if (!who.has("contribute")) {
      refuse(ctx, new MeshException(ErrorCode.FORBIDDEN, "key " + who.keyId() + " may not contribute"));
      return;
    }
    // Parsing hashes inline data (up to gateway.max-body-bytes): off the HTTP event loop.
    vertx.executeBlocking(() -> Contribution.parse(Answers.jsonBody(ctx), who.keyId(), options), false)
      .onFailure(err -> refuse(ctx, MeshException.of(err)))
      .onSuccess(c -> rewards.contribute(c)
        .onSuccess(receipt -> Answers.json(ctx, receipt.getBoolean("created") ? 201 : 200, receipt))
        .onFailure(err -> Answers.fail(ctx, MeshException.of(err))));
  }

  private void refuse(RoutingContext ctx, MeshException bad) {
    rewards.rejected(bad.code());
    Answers.fail(ctx, bad);
  }
}
