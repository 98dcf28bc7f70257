package io.netflow.models;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.Map;

/** What the model API shows: read from the cluster maps, so any node answers for the whole mesh. */
final class ModelStatus {

  private final AsyncMap<String, JsonObject> manifests;
  private final AsyncMap<String, JsonObject> desired;
  private final AsyncMap<String, JsonObject> holdings;

  ModelStatus(AsyncMap<String, JsonObject> manifests, AsyncMap<String, JsonObject> desired,
              AsyncMap<String, JsonObject> holdings) {
    this.manifests = manifests;
    this.desired = desired;
    this.holdings = holdings;
  }

  /** Every version in the mesh, whether it is the desired one, and each node's state of it. */
  Future<JsonObject> list() {
    return manifests.entries().compose(all -> desired.entries().compose(want -> holdings.entries().map(held -> {
      JsonArray models = new JsonArray();
      all.values().stream().map(ModelManifest::fromJson).sorted((a, b) -> a.id().compareTo(b.id())).forEach(m -> {
        JsonObject d = want.get(m.name());
        models.add(new JsonObject().put("name", m.name()).put("version", m.version()).put("size", m.size())
          .put("chunks", m.chunkCount()).put("sha256", m.sha256()).put("keyId", m.keyId())
          .put("desired", d != null && m.version().equals(d.getString("version")))
          .put("nodes", nodes(m.id(), held)));
      });
      return new JsonObject().put("models", models);
    })));
  }

  /** Per node: chunks held of the total, fetch rate and state of one version. */
  Future<JsonObject> rollout(String id) {
    return manifests.get(id).compose(m -> {
      if (m == null) {
        return Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "no model " + id));
      }
      return holdings.entries().map(held -> new JsonObject().put("model", id)
        .put("chunks", ModelManifest.fromJson(m).chunkCount()).put("nodes", nodes(id, held)));
    });
  }

  private static JsonArray nodes(String id, Map<String, JsonObject> held) {
    JsonArray nodes = new JsonArray();
    held.values().stream().filter(h -> id.equals(h.getString("model")))
      .sorted((a, b) -> a.getString("nodeName", "").compareTo(b.getString("nodeName", "")))
      .forEach(h -> nodes.add(h.copy().put("bitmap", (String) null)));
    return nodes;
  }
}
