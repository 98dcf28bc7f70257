package io.netflow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netflow.gateway.protocol.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HttpApiVerticleTest {

  private final AtomicBoolean ready = new AtomicBoolean();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private WebClient client;
  private int port;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    HealthChecks liveness = HealthChecks.create(vertx).register("process", p -> p.complete(Status.OK()));
    HealthChecks readiness = HealthChecks.create(vertx).register("node", p -> p.complete(ready.get() ? Status.OK() : Status.KO()));
    RouteContributor extra = (v, router) -> router.get("/extra").handler(ctx -> ctx.end("extra"));
    HttpApiVerticle verticle = new HttpApiVerticle(new HttpOptions().setPort(0), liveness, readiness, registry, List.of(extra));
    vertx.deployVerticle(verticle).await();
    port = verticle.actualPort();
    client = WebClient.create(vertx);
  }

  private HttpResponse<io.vertx.core.buffer.Buffer> get(String path) {
    return client.get(port, "127.0.0.1", path).send().await();
  }

  @Test
  void requestsAreMeteredByRoutePatternAndStatus() {
    get("/extra");
    get("/extra");
    get("/no/such/path/42");
    String scrape = get("/metrics").bodyAsString();
    assertThat(scrape)
      .contains("netflow_http_server_requests_seconds_count{code=\"200\",method=\"GET\",route=\"/extra\"} 2")
      .contains("netflow_http_server_requests_seconds_count{code=\"404\",method=\"GET\",route=\"unmatched\"} 1")
      .doesNotContain("/no/such/path");
  }

  @Test
  void healthAnswersWhileNotReady() {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/ready").statusCode()).isEqualTo(503);
    ready.set(true);
    HttpResponse<io.vertx.core.buffer.Buffer> r = get("/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("outcome")).isEqualTo("UP");
  }

  @Test
  void metricsArePrometheusText() {
    Counter.builder("netflow.test.hits").register(registry).increment(3);
    HttpResponse<io.vertx.core.buffer.Buffer> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("netflow_test_hits_total 3.0");
  }

  @Test
  void unknownRouteIsJson404AndContributorsAreMounted() {
    HttpResponse<io.vertx.core.buffer.Buffer> r = get("/v1/nope");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.bodyAsJsonObject().getInteger("code")).isEqualTo(ErrorCode.NOT_FOUND.code());
    assertThat(get("/extra").bodyAsString()).isEqualTo("extra");
  }

  @Test
  void takenPortMovesToTheNextOne(Vertx vertx) {
    HttpServer squatter = vertx.createHttpServer().requestHandler(req -> req.response().end()).listen(0, "127.0.0.1").await();
    int taken = squatter.actualPort();
    HealthChecks none = HealthChecks.create(vertx);
    HttpApiVerticle second = new HttpApiVerticle(new HttpOptions().setPort(taken).setPortCount(5), none, none, registry, List.of());
    // A second Vert.x instance: within one instance Vert.x would share the port instead.
    Vertx other = Vertx.vertx();
    try {
      other.deployVerticle(second).await();
      assertThat(second.actualPort()).isGreaterThan(taken).isLessThan(taken + 5);
    } finally {
      other.close().await();
    }
  }

  @Test
  void connectionsPastTheLimitAndIdleOnesAreClosed(Vertx vertx) throws Exception {
    HealthChecks none = HealthChecks.create(vertx);
    HttpApiVerticle limited = new HttpApiVerticle(new HttpOptions().setPort(0).setMaxConnections(1).setIdleTimeoutSeconds(1),
      none, none, registry, List.of());
    vertx.deployVerticle(limited).await();
    try (java.net.Socket first = new java.net.Socket("127.0.0.1", limited.actualPort())) {
      // A request and its answer: the first connection is surely open and counted.
      first.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      first.setSoTimeout(5_000);
      assertThat(first.getInputStream().read()).isNotEqualTo(-1);
      first.getInputStream().skip(first.getInputStream().available());
      try (java.net.Socket second = new java.net.Socket("127.0.0.1", limited.actualPort())) {
        second.setSoTimeout(3_000);
        second.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        long asked = System.nanoTime();
        // The connection over the limit is told why (503 OVERLOADED, Retry-After), then closed.
        String answer = new String(second.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat((System.nanoTime() - asked) / 1e9).isLessThan(0.5);
        assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 1")
          .containsIgnoringCase("connection: close").contains("\"error\":\"OVERLOADED\"").contains("gateway.max-connections");
      }
      long start = System.nanoTime();
      int b;
      while ((b = first.getInputStream().read()) != -1) {
        assertThat(b).isNotNegative();
      }
      assertThat((System.nanoTime() - start) / 1e9).as("the idle connection is closed after about 1 s").isBetween(0.3, 3.0);
    }
  }

  @Test
  void servesHttpsWhenGivenACertificate(Vertx vertx) {
    io.vertx.core.net.SelfSignedCertificate cert = io.vertx.core.net.SelfSignedCertificate.create("localhost");
    HealthChecks live = HealthChecks.create(vertx).register("process", p -> p.complete(Status.OK()));
    HttpApiVerticle tls = new HttpApiVerticle(new HttpOptions().setPort(0).setTls(cert.certificatePath(), cert.privateKeyPath()),
      live, live, registry, List.of());
    vertx.deployVerticle(tls).await();
    WebClient https = WebClient.create(vertx, new io.vertx.ext.web.client.WebClientOptions().setSsl(true).setTrustAll(true)
      .setVerifyHost(false));
    assertThat(https.get(tls.actualPort(), "127.0.0.1", "/health").send().await().statusCode()).isEqualTo(200);
    // Plain HTTP to the TLS port gets no answer.
    assertThatThrownBy(() -> client.get(tls.actualPort(), "127.0.0.1", "/health").timeout(2_000).send().await())
      .isNotNull();
  }

  @Test
  void fixedPortThatIsTakenFails(Vertx vertx) {
    HttpServer squatter = vertx.createHttpServer().requestHandler(req -> req.response().end()).listen(0, "127.0.0.1").await();
    HealthChecks none = HealthChecks.create(vertx);
    HttpOptions fixed = new HttpOptions().setPort(squatter.actualPort()).setPortCount(1);
    Vertx other = Vertx.vertx();
    try {
      assertThatThrownBy(() -> other.deployVerticle(new HttpApiVerticle(fixed, none, none, registry, List.of())).await())
        .hasStackTraceContaining("Address already in use");
    } finally {
      other.close().await();
    }
  }
}
