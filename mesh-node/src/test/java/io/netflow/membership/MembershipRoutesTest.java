package io.netflow.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netflow.gateway.auth.AdminAuth;
import io.netflow.gateway.http.HttpApiVerticle;
import io.netflow.gateway.http.HttpOptions;
import io.netflow.gateway.protocol.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The membership routes against a stand-in for the membership verticle: the view, and its failures with their codes. */
@ExtendWith(VertxExtension.class)
class MembershipRoutesTest {

  private WebClient client;
  private int port;

  @BeforeEach
  void deploy(Vertx vertx) {
    HealthChecks none = HealthChecks.create(vertx);
    HttpApiVerticle verticle = new HttpApiVerticle(new HttpOptions().setPort(0), none, none,
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(new MembershipRoutes(new AdminAuth(List.of()))));
    vertx.deployVerticle(verticle).await();
    port = verticle.actualPort();
    client = WebClient.create(vertx);
  }

  private HttpResponse<Buffer> get(String path) {
    return client.get(port, "127.0.0.1", path).send().await();
  }

  @Test
  void meshViewIsNotReadyUntilTheMembershipVerticleAnswers(Vertx vertx) {
    HttpResponse<Buffer> r = get("/v1/mesh/nodes");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getInteger("code")).isEqualTo(ErrorCode.NOT_READY.code());
    assertThat(r.getHeader("Retry-After")).isEqualTo("1");

    JsonObject view = new JsonObject().put("self", "n1").put("clusterSize", 1);
    vertx.eventBus().localConsumer(MembershipAddresses.MESH_VIEW, m -> m.reply(view)).completion().await();
    r = get("/v1/mesh/nodes");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("content-type")).startsWith("application/json");
    assertThat(r.bodyAsJsonObject()).isEqualTo(view);
  }

  @Test
  void failuresKeepTheirCode(Vertx vertx) {
    vertx.eventBus().localConsumer(MembershipAddresses.MESH_VIEW, m -> ErrorCode.OVERLOADED.fail(m, "busy")).completion().await();
    HttpResponse<Buffer> r = get("/v1/mesh/nodes");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getInteger("code")).isEqualTo(ErrorCode.OVERLOADED.code());
    assertThat(r.bodyAsJsonObject().getString("message")).isEqualTo("busy");
  }

  @Test
  void drainingIsAdminOnly() {
    HttpResponse<Buffer> r = client.post(port, "127.0.0.1", "/v1/nodes/n1/drain").send().await();
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.bodyAsJsonObject().getInteger("code")).isEqualTo(ErrorCode.FORBIDDEN.code());
  }
}
