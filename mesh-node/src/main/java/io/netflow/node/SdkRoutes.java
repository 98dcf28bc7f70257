package io.netflow.node;

import io.netflow.gateway.http.RouteContributor;
import io.netflow.gateway.protocol.Sha256;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The JavaScript client, as every node serves it: {@code GET /sdk/netflow.mjs}, an ES module a
 * browser or Node.js game imports as is (no build step). The file is the client module's own
 * ({@code client/src/main/resources/META-INF/resources/netflow/sdk/}), read once; no key is needed
 * and any page may import it.
 */
final class SdkRoutes implements RouteContributor {

  static final String RESOURCE = "META-INF/resources/netflow/sdk/netflow.mjs";

  private final Buffer module;
  private final String etag;

  SdkRoutes() {
    try (InputStream in = SdkRoutes.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path (the netflow-client jar)");
      }
      byte[] bytes = in.readAllBytes();
      module = Buffer.buffer(bytes);
      etag = "\"" + Sha256.hex(bytes) + "\"";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    router.get("/sdk/netflow.mjs").handler(ctx -> {
      var response = ctx.response().putHeader("Access-Control-Allow-Origin", "*").putHeader("ETag", etag)
        .putHeader("Cache-Control", "max-age=300");
      if (etag.equals(ctx.request().getHeader("If-None-Match"))) {
        response.setStatusCode(304).end();
        return;
      }
      response.putHeader("Content-Type", "text/javascript; charset=utf-8").end(module);
    });
  }
}
