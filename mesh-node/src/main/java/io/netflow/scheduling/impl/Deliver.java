package io.netflow.scheduling.impl;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.mesh.Mesh;
import io.netflow.scheduling.WorkHandler;
import io.netflow.scheduling.WorkItem;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * The built-in work kind {@code deliver}: when the work runs, its payload goes to a mesh service
 * (routed like any request, in the lane of the work's class) and the service's answer becomes the
 * item's result. A game server defers a data request this way without running a handler itself.
 */
public final class Deliver {

  /** The longest one delivery attempt waits for its answer. */
  static final long MAX_WAIT_MS = 30_000;

  private Deliver() {
  }

  public static WorkHandler handler(Mesh mesh) {
    return work -> {
      WorkItem item = work.item();
      long left = Math.max(1_000, Math.min(MAX_WAIT_MS, item.deadline() - System.currentTimeMillis()));
      Envelope envelope = Envelope.toService(item.service())
        .id(item.id() + "#" + work.attempt())
        .priority(item.workClass().lane())
        .timeoutMillis(left)
        .payload(item.payload() == null ? "" : Json.encode(item.payload()))
        .build();
      return mesh.request(envelope).map(reply -> new JsonObject().put("node", reply.nodeId())
        .put("reply", reply.body().toString()));
    };
  }
}
