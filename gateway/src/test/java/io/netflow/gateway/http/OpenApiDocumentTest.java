package io.netflow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {

  private static RouteContributor describing(JsonObject fragment) {
    return new RouteContributor() {
      @Override
      public void mount(Vertx vertx, Router router) {
      }

      @Override
      public JsonObject openApi() {
        return fragment;
      }
    };
  }

  @Test
  void theDocumentIsTheServersPartAndEveryContributorsFragment() {
    JsonObject doc = OpenApiDocument.assemble(List.of(new GatewayRoutes(new GatewayOptions()),
      describing(new JsonObject().put("paths", new JsonObject().put("/v1/things", new JsonObject()))
        .put("components", new JsonObject().put("schemas", new JsonObject().put("Thing", new JsonObject()))))));
    assertThat(doc.getJsonObject("paths").fieldNames()).contains("/health", "/v1/openapi.json", "/v1/messages", "/v1/things");
    assertThat(doc.getJsonObject("components").getJsonObject("schemas").fieldNames()).contains("Error", "Message", "Thing");
  }

  @Test
  void aPathOrComponentDescribedTwiceFailsAtStartUp() {
    JsonObject again = new JsonObject().put("paths", new JsonObject().put("/health", new JsonObject()));
    assertThatThrownBy(() -> OpenApiDocument.assemble(List.of(describing(again))))
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("path /health is described twice");
  }
}
