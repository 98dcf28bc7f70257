package io.netflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A web game on another origin: the configured origins may call the API; the JavaScript client may be imported from anywhere. */
class CorsTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void onlyConfiguredOriginsMayCallTheApiButAnyPageMayImportTheClient() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.CORS_ORIGINS, List.of("https://play.example")));
      HttpResponse<String> preflight = send(a, "OPTIONS", "/v1/mesh/nodes", "https://play.example",
        "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization");
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://play.example");
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase()).contains("authorization");
      HttpResponse<String> ready = send(a, "GET", "/ready", "https://play.example");
      assertThat(ready.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://play.example");
      assertThat(ready.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("Retry-After");

      HttpResponse<String> stranger = send(a, "GET", "/ready", "https://elsewhere.example");
      assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

      HttpResponse<String> sdk = send(a, "GET", "/sdk/netflow.mjs", "https://elsewhere.example");
      assertThat(sdk.statusCode()).isEqualTo(200);
      assertThat(sdk.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
      assertThat(sdk.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
      assertThat(sdk.body()).contains("export class NetflowClient");
      HttpResponse<String> cached = HTTP.send(HttpRequest.newBuilder(URI.create(a.httpUrl() + "/sdk/netflow.mjs"))
        .header("If-None-Match", sdk.headers().firstValue("ETag").orElseThrow()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(cached.statusCode()).isEqualTo(304);
    }
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode b = mesh.start("b");
      HttpResponse<String> none = send(b, "GET", "/ready", "https://play.example");
      assertThat(none.headers().firstValue("Access-Control-Allow-Origin")).as("no origins by default").isEmpty();
    }
  }

  private static HttpResponse<String> send(NetflowNode node, String method, String path, String origin, String... headers)
    throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).header("Origin", origin)
      .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
