package io.netflow.gateway.auth;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.web.Answers;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;

/**
 * Finds the caller's API key ({@code Authorization: Bearer <key>}; {@code ?key=} only where a browser
 * cannot set headers, see {@link #streamPrincipal}), refuses unknown callers with 401, and holds each key to its rate (token bucket,
 * Bucket4j): past it, 429 with {@code Retry-After}. The caller is left in the context as
 * {@link #PRINCIPAL}.
 */
public final class Authenticate implements Handler<RoutingContext> {

  /** Context key of the authenticated {@link ApiKeys.Principal}. */
  public static final String PRINCIPAL = "netflow.principal";

  private final ApiKeys keys;
  private final long ratePerSecond;
  private final RateLimits limits;

  public Authenticate(ApiKeys keys, long ratePerSecond, long burst) {
    this.keys = keys;
    this.ratePerSecond = ratePerSecond;
    this.limits = new RateLimits(burst, ratePerSecond, Duration.ofSeconds(1));
  }

  @Override
  public void handle(RoutingContext ctx) {
    ApiKeys.Principal who = admit(ctx.request());
    if (who != null) {
      ctx.put(PRINCIPAL, who);
      ctx.next();
    }
  }

  /**
   * The caller of {@code request} if it may go on; else null, the request answered 401 (no key, or
   * an unknown one) or 429 (over its rate, with {@code Retry-After}).
   */
  public ApiKeys.Principal admit(HttpServerRequest request) {
    Optional<ApiKeys.Principal> who = keys.authenticate(bearer(request));
    if (who.isEmpty()) {
      request.response().putHeader("WWW-Authenticate", "Bearer");
      Answers.error(request.response(), ErrorCode.UNAUTHENTICATED, "an API key is required: Authorization: Bearer <key>");
      return null;
    }
    long waitSeconds = take(who.get().keyId());
    if (waitSeconds > 0) {
      request.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(waitSeconds));
      Answers.error(request.response(), ErrorCode.RATE_LIMITED, "key " + who.get().keyId() + " is over its rate of "
        + ratePerSecond + " messages per second");
      return null;
    }
    return who.get();
  }

  /**
   * The caller of a WebSocket or server-sent-events request, or empty: the header, or {@code ?key=},
   * which browsers need there (they cannot set headers on those). Everywhere else a key in the URL
   * would end up in proxies' and servers' logs, so it is not read.
   */
  public Optional<ApiKeys.Principal> streamPrincipal(HttpServerRequest request) {
    String bearer = bearer(request);
    return keys.authenticate(bearer != null ? bearer : request.getParam("key"));
  }

  /**
   * Takes one message from the key's allowance.
   *
   * @return 0 when allowed, else the seconds to wait (at least 1)
   */
  public long take(String keyId) {
    long waitNanos = limits.take(keyId);
    return waitNanos == 0 ? 0 : Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
  }

  private static String bearer(HttpServerRequest req) {
    String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
    return auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
  }
}
