package io.netflow.scheduling.impl;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.mesh.Mesh;
import io.netflow.scheduling.WorkHandler;
import io.netflow.scheduling.WorkItem;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The built-in work kind {@code deliver}: when the work runs, its payload goes to a mesh service
 * (routed like any request, in the lane of the work's class; the service's answer becomes the
 * item's result) or is published on a topic (the item succeeds once every subscribing node has it;
 * with no subscriber anywhere the attempt fails, to be retried, rather than publish to nobody).
 * A game server defers a data request or a fan-out this way without running a handler itself.
 *
 * <p>An item runs at least once: a node that dies after delivering but before recording success
 * leaves it to be run again. Each delivery carries the id {@code <item id>#<attempt>} and the header
 * {@value #WORK_ID} with the item's own id, so that whoever receives it applies its effect once.
 */
public final class Deliver {

  /** The header that names the work item a delivery comes from, the same on every attempt. */
  public static final String WORK_ID = "work-id";
  /** The longest one delivery attempt waits for its answer. */
  static final long MAX_WAIT_MS = 30_000;

  private Deliver() {
  }

  public static WorkHandler handler(Mesh mesh) {
    return work -> {
      WorkItem item = work.item();
      long left = Math.max(1_000, Math.min(MAX_WAIT_MS, item.deadline() - System.currentTimeMillis()));
      Envelope.Builder envelope = (item.topic() != null ? Envelope.toTopic(item.topic()) : Envelope.toService(item.service()))
        .id(item.id() + "#" + work.attempt())
        .priority(item.workClass().lane())
        .timeoutMillis(left)
        .headers(Map.of(WORK_ID, item.id()))
        .payload(item.payload() == null ? "" : Json.encode(item.payload()));
      if (item.topic() != null) {
        // A deferred publication nobody receives would be lost: it waits (a retry) for a subscriber.
        return mesh.publish(envelope.build()).compose(nodes -> nodes > 0
          ? Future.succeededFuture(new JsonObject().put("topic", item.topic()).put("nodes", nodes))
          : Future.failedFuture(new MeshException(ErrorCode.NO_HANDLERS, "nobody subscribes to '" + item.topic() + "' yet")));
      }
      return mesh.request(envelope.build()).map(reply -> new JsonObject().put("node", reply.nodeId())
        .put("reply", reply.body().toString()));
    };
  }
}
