package io.netflow.gateway.auth;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.web.Answers;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Guards admin routes: the request must carry {@code Authorization: Bearer <key>} for an admin
 * key ({@code http.admin-key-sha256}) or an API key with the {@code admin} scope. Keys are never
 * stored in clear. With no admin key of either kind, admin routes are refused outright.
 */
public final class AdminAuth implements Handler<RoutingContext> {

  private final ApiKeys keys;
  private final boolean anyAdmin;

  /** @param sha256Hex SHA-256 digests (lowercase hex) of the accepted admin keys */
  public AdminAuth(List<String> sha256Hex) {
    this(sha256Hex, ApiKeys.parse(List.of()));
  }

  /** Admin keys, and API keys of which those with the {@code admin} scope are admins too. */
  public AdminAuth(List<String> sha256Hex, ApiKeys apiKeys) {
    // An admin key is an API key with the admin scope: one way to hash and compare keys.
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < sha256Hex.size(); i++) {
      entries.add("admin-" + i + ":" + sha256Hex.get(i) + ":admin");
    }
    this.keys = ApiKeys.parse(entries).with(apiKeys);
    this.anyAdmin = !sha256Hex.isEmpty() || !apiKeys.isEmpty();
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!anyAdmin) {
      Answers.error(ctx, ErrorCode.FORBIDDEN, "admin API disabled: set http.admin-key-sha256");
      return;
    }
    String auth = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (auth == null || !auth.startsWith("Bearer ")) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      Answers.error(ctx, ErrorCode.UNAUTHENTICATED, "admin key required: Authorization: Bearer <key>");
      return;
    }
    if (keys.authenticate(auth.substring(7).trim()).map(p -> p.has("admin")).orElse(false)) {
      ctx.next();
      return;
    }
    Answers.error(ctx, ErrorCode.FORBIDDEN, "not an admin key");
  }

  /** The SHA-256 of a key, as configured in {@code http.admin-key-sha256}. */
  public static String sha256Hex(String key) {
    return ApiKeys.sha256Hex(key);
  }
}
