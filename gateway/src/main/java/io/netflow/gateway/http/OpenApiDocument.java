package io.netflow.gateway.http;

import io.netflow.gateway.protocol.RequestSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The node's OpenAPI 3 document, assembled from the server's own part ({@code openapi/netflow.json}:
 * info, security, the error shape, health, readiness, metrics) and every contributor's fragment. Two
 * parts that describe the same path or component fail at start-up: one place for each thing.
 */
final class OpenApiDocument {

  private OpenApiDocument() {
  }

  /**
   * The whole document, encoded, assembled on a worker: it reads every part's schema files from the
   * jar and, in a fresh JVM, loads and initialises Jackson's databind. On an event loop that took 1.2
   * of the 1.8 s a node's first HTTP instance held its loop cold on this 2-core machine (Vert.x warns at 2 s).
   */
  static Future<Buffer> assemble(Vertx vertx, List<RouteContributor> contributors) {
    return vertx.executeBlocking(() -> assemble(contributors).toBuffer(), false);
  }

  /** The whole document, as served at {@code GET /v1/openapi.json}. */
  static JsonObject assemble(List<RouteContributor> contributors) {
    JsonObject doc = RequestSchema.load(OpenApiDocument.class, "/openapi/netflow.json");
    for (RouteContributor c : contributors) {
      merge(doc, c.openApi(), c.getClass().getName());
    }
    return doc;
  }

  /** The resource {@code <SimpleName>.openapi.json} beside {@code owner}, or an empty fragment when it has none. */
  static JsonObject fragment(Class<?> owner) {
    String name = owner.getSimpleName() + ".openapi.json";
    return owner.getResource(name) == null ? new JsonObject() : RequestSchema.load(owner, name);
  }

  private static void merge(JsonObject doc, JsonObject fragment, String from) {
    fragment.getJsonObject("paths", new JsonObject()).forEach(p -> put(doc.getJsonObject("paths"), p.getKey(), p.getValue(),
      "path " + p.getKey(), from));
    JsonObject components = fragment.getJsonObject("components", new JsonObject());
    for (String kind : components.fieldNames()) {
      JsonObject into = doc.getJsonObject("components").getJsonObject(kind);
      if (into == null) {
        into = new JsonObject();
        doc.getJsonObject("components").put(kind, into);
      }
      JsonObject target = into;
      components.getJsonObject(kind).forEach(e -> put(target, e.getKey(), e.getValue(), kind + " " + e.getKey(), from));
    }
  }

  private static void put(JsonObject into, String key, Object value, String what, String from) {
    if (into.containsKey(key)) {
      throw new IllegalStateException("OpenAPI " + what + " is described twice (again by " + from + ")");
    }
    into.put(key, value);
  }
}
