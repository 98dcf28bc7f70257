package io.netflow.gateway.http;

import io.netflow.gateway.protocol.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Guards admin routes: the request must carry {@code Authorization: Bearer <key>} for an admin
 * key ({@code http.admin-key-sha256}) or an API key with the {@code admin} scope. Keys are never
 * stored in clear. With no admin key of either kind, admin routes are refused outright.
 */
public final class AdminAuth implements Handler<RoutingContext> {

  private final List<byte[]> digests;
  private final io.netflow.gateway.auth.ApiKeys apiKeys;

  /** @param sha256Hex SHA-256 digests (lowercase hex) of the accepted admin keys */
  public AdminAuth(List<String> sha256Hex) {
    this(sha256Hex, io.netflow.gateway.auth.ApiKeys.parse(List.of()));
  }

  /** Admin keys, and API keys of which those with the {@code admin} scope are admins too. */
  public AdminAuth(List<String> sha256Hex, io.netflow.gateway.auth.ApiKeys apiKeys) {
    this.digests = sha256Hex.stream().map(h -> HexFormat.of().parseHex(h.toLowerCase())).toList();
    this.apiKeys = apiKeys;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (digests.isEmpty() && apiKeys.isEmpty()) {
      HttpApiVerticle.error(ctx, ErrorCode.FORBIDDEN, "admin API disabled: set http.admin-key-sha256");
      return;
    }
    String auth = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (auth == null || !auth.startsWith("Bearer ")) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      HttpApiVerticle.error(ctx, ErrorCode.UNAUTHENTICATED, "admin key required: Authorization: Bearer <key>");
      return;
    }
    String secret = auth.substring(7).trim();
    if (apiKeys.authenticate(secret).map(p -> p.has("admin")).orElse(false)) {
      ctx.next();
      return;
    }
    byte[] given = sha256(secret);
    for (byte[] d : digests) {
      if (MessageDigest.isEqual(d, given)) {
        ctx.next();
        return;
      }
    }
    HttpApiVerticle.error(ctx, ErrorCode.FORBIDDEN, "not an admin key");
  }

  /** The SHA-256 of a key, as configured in {@code http.admin-key-sha256}. */
  public static String sha256Hex(String key) {
    return HexFormat.of().formatHex(sha256(key));
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
