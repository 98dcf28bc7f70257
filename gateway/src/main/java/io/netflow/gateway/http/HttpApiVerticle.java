package io.netflow.gateway.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.web.Answers;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.net.BindException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP server: health, readiness, metrics, the OpenAPI document of every route, and the
 * routes every part of the node contributes ({@link RouteContributor}); it knows none of them by
 * name. Unknown routes are 404 and failures carry the protocol's {@link ErrorCode}s.
 */
public class HttpApiVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpApiVerticle.class);

  private final HttpOptions options;
  private final HealthChecks liveness;
  private final HealthChecks readiness;
  private final PrometheusMeterRegistry registry;
  private final List<RouteContributor> contributors;
  private final AtomicInteger open;
  private final int bindPort;
  private final Buffer openApi;
  private HttpServer server;
  private Router router;
  private HttpMetrics metrics;
  /** Routes served without the router, by path ({@link DirectRoute}). */
  private final Map<String, DirectRoute> direct = new HashMap<>();
  /** Whether browser pages of other origins may call the API (gateway.cors-origins). */
  private boolean cors;

  /**
   * @param liveness     checks behind {@code /health}: is the process alive
   * @param readiness    checks behind {@code /ready}: has the node joined and is every part up
   * @param registry     the node's meter registry, scraped at {@code /metrics}
   * @param contributors other parts' routes, mounted on the same server
   */
  public HttpApiVerticle(HttpOptions options, HealthChecks liveness, HealthChecks readiness,
                         PrometheusMeterRegistry registry, List<RouteContributor> contributors) {
    this(options, liveness, readiness, registry, contributors, new AtomicInteger(), options.getPort(), null);
  }

  /**
   * One of several instances sharing a port ({@link HttpApi}): {@code open} counts the node's open
   * connections over all of them, so {@code gateway.max-connections} stays node-wide; {@code bindPort}
   * is the port to listen on, negative for a random one shared by every instance given the same value;
   * {@code openApi} is the document {@link HttpApi} assembled once for all of them, or null to assemble it.
   */
  HttpApiVerticle(HttpOptions options, HealthChecks liveness, HealthChecks readiness, PrometheusMeterRegistry registry,
                  List<RouteContributor> contributors, AtomicInteger open, int bindPort, Buffer openApi) {
    this.options = new HttpOptions(options);
    this.liveness = liveness;
    this.readiness = readiness;
    this.registry = registry;
    this.contributors = List.copyOf(contributors);
    this.open = open;
    this.bindPort = bindPort;
    this.openApi = openApi;
  }

  @Override
  public Future<?> start() {
    router = Router.router(vertx);
    metrics = new HttpMetrics(registry);
    router.route().handler(metrics);
    cors = !options.getCorsOrigins().isEmpty();
    if (cors) {
      // Only for the listed origins: a request from any other (the console's own page, a page the
      // operator did not list) goes on untouched, and the browser keeps its same-origin rule.
      CorsHandler cors = cors(options.getCorsOrigins());
      Set<String> origins = Set.copyOf(options.getCorsOrigins());
      router.route().handler(ctx -> {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        if (origin != null && (origins.contains("*") || origins.contains(origin))) {
          cors.handle(ctx);
        } else {
          ctx.next();
        }
      });
    }
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(liveness));
    router.get("/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    return openApi().compose(doc -> {
      router.get("/v1/openapi.json").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(doc));
      contributors.forEach(c -> c.mount(vertx, router));
      contributors.forEach(c -> c.direct(vertx).forEach(d -> {
        if (direct.putIfAbsent(d.path(), d) != null) {
          throw new IllegalStateException("two direct routes on " + d.path());
        }
      }));
      router.route().last().handler(ctx -> Answers.error(ctx, ErrorCode.NOT_FOUND, "no route for " + ctx.request().path()));
      router.errorHandler(500, ctx -> Answers.error(ctx, ErrorCode.INTERNAL, null));
      router.errorHandler(413, ctx -> Answers.error(ctx, ErrorCode.TOO_LARGE, "request body over the limit"));
      router.errorHandler(400, ctx -> Answers.error(ctx, ErrorCode.MALFORMED, "malformed request"));
      return listen(router, bindPort, options.getPortCount());
    });
  }

  /** The document {@link HttpApi} assembled for every instance, else this instance's own (on a worker). */
  private Future<Buffer> openApi() {
    return openApi != null ? Future.succeededFuture(openApi) : OpenApiDocument.assemble(vertx, contributors);
  }

  /**
   * Browser pages of these origins may call the API (the JavaScript client's fetches) and read the
   * headers a client acts on; the key still travels in {@code Authorization}, never as a cookie.
   */
  private static CorsHandler cors(List<String> origins) {
    CorsHandler cors = origins.contains("*") ? CorsHandler.create() : CorsHandler.create().addOrigins(origins);
    return cors.allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE))
      .allowedHeaders(Set.of("Authorization", "Content-Type", "Range", "If-Range", "If-None-Match"))
      .exposedHeaders(Set.of("Retry-After", "ETag", "Content-Range", "Location")).maxAgeSeconds(600);
  }

  /** Every route with a path, as {@code "METHOD /path"} (OpenAPI path syntax for parameters). */
  public java.util.SortedSet<String> routes() {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    for (io.vertx.ext.web.Route r : router.getRoutes()) {
      if (r.getPath() == null || r.methods() == null) {
        continue;
      }
      String path = r.getPath().replaceAll(":([A-Za-z]+)", "{$1}").replace("*", "");
      r.methods().forEach(m -> out.add(m.name() + " " + path));
    }
    return out;
  }

  /** The port the server listens on, once started. */
  public int actualPort() {
    return server.actualPort();
  }

  private Future<HttpServer> listen(Router router, int port, int triesLeft) {
    HttpServerOptions serverOptions = new HttpServerOptions()
      .setMaxWebSocketFrameSize(options.getMaxWebSocketBytes()).setMaxWebSocketMessageSize(options.getMaxWebSocketBytes())
      .setIdleTimeout(options.getIdleTimeoutSeconds())
      .setPerMessageWebSocketCompressionSupported(options.isWebSocketCompression())
      .setPerFrameWebSocketCompressionSupported(options.isWebSocketCompression());
    if (options.isTls()) {
      serverOptions.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
        .setCertPath(options.getTlsCertPath()).setKeyPath(options.getTlsKeyPath()));
    }
    // Connections past the limit are answered 503 OVERLOADED (with Retry-After) at their first
    // request and closed: the client learns why, and nothing it sent is taken.
    Set<HttpConnection> refused = new HashSet<>();
    return vertx.createHttpServer(serverOptions)
      .connectionHandler(conn -> {
        if (open.incrementAndGet() > options.getMaxConnections()) {
          LOG.debug("Refusing a connection: {} open", options.getMaxConnections());
          refused.add(conn);
        }
        conn.closeHandler(v -> {
          open.decrementAndGet();
          refused.remove(conn);
        });
      })
      .requestHandler(req -> {
        if (!refused.contains(req.connection())) {
          DirectRoute route = direct.isEmpty() ? null : direct.get(req.path());
          if (route != null && route.method().equals(req.method()) && plain(req)) {
            metrics.time(req, route.path());
            route.handler().handle(req);
          } else {
            router.handle(req);
          }
          return;
        }
        req.response().setStatusCode(ErrorCode.OVERLOADED.httpStatus()).putHeader(HttpHeaders.RETRY_AFTER, "1")
          .putHeader(HttpHeaders.CONNECTION, "close").putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(ErrorCode.OVERLOADED.toJson("connection limit (gateway.max-connections) of " + options.getMaxConnections()
            + " reached").encode())
          .onComplete(v -> req.connection().close());
      })
      .listen(port, options.getHost())
      .onSuccess(s -> {
        server = s;
        LOG.debug("HTTP API instance listening on {}://{}:{}", options.isTls() ? "https" : "http", options.getHost(),
          s.actualPort());
      })
      .recover(err -> {
        if (isBindFailure(err) && triesLeft > 1 && port > 0 && port < 65535) {
          LOG.debug("HTTP port {} is taken, trying {}", port, port + 1);
          return listen(router, port + 1, triesLeft - 1);
        }
        return Future.failedFuture(err);
      });
  }

  /**
   * Whether a request may be served without the router ({@link DirectRoute}): HTTP/1.x with a body
   * of a stated length and no transfer coding (then the body is exactly that long, and its length is
   * checked before it is read), no {@code Expect} (the body handler answers those), and, when CORS is
   * on, no {@code Origin} (the router's CORS handler answers those).
   */
  private boolean plain(HttpServerRequest req) {
    return req.version() != HttpVersion.HTTP_2 && req.getHeader(HttpHeaders.CONTENT_LENGTH) != null
      && req.getHeader(HttpHeaders.TRANSFER_ENCODING) == null && req.getHeader(HttpHeaders.EXPECT) == null
      && (!cors || req.getHeader(HttpHeaders.ORIGIN) == null);
  }

  private static boolean isBindFailure(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

}
