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
 * Guards admin routes: the request must carry {@code Authorization: Bearer <key>} for a key whose
 * SHA-256 (hex) is configured. Keys are never stored in clear. With no key configured, admin
 * routes are refused outright.
 */
public final class AdminAuth implements Handler<RoutingContext> {

  private final List<byte[]> digests;

  /** @param sha256Hex SHA-256 digests (lowercase hex) of the accepted admin keys */
  public AdminAuth(List<String> sha256Hex) {
    this.digests = sha256Hex.stream().map(h -> HexFormat.of().parseHex(h.toLowerCase())).toList();
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (digests.isEmpty()) {
      HttpApiVerticle.error(ctx, ErrorCode.FORBIDDEN, "admin API disabled: set http.admin-key-sha256");
      return;
    }
    String auth = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (auth == null || !auth.startsWith("Bearer ")) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      HttpApiVerticle.error(ctx, ErrorCode.UNAUTHENTICATED, "admin key required: Authorization: Bearer <key>");
      return;
    }
    byte[] given = sha256(auth.substring(7).trim());
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
