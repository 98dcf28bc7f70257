package io.netflow.scheduling.impl;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.RequestSchema;
import io.netflow.scheduling.Placement;
import io.netflow.scheduling.SchedulerOptions;
import io.netflow.scheduling.WorkClass;
import io.netflow.scheduling.WorkItem;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Turns a work request (the JSON of {@code schemas/work-request.json}) into a queued item. */
public final class WorkRequests {

  /** Deferred work, as submitted to {@code POST /v1/work} and {@code netflow.work.submit}. */
  public static final RequestSchema SCHEMA = new RequestSchema(WorkRequests.class, "/io/netflow/scheduling/work-request.json");

  /** The built-in kind: send the payload to a mesh service, or publish it on a topic, when the work runs. */
  public static final String DELIVER = "deliver";

  private WorkRequests() {
  }

  /**
   * @throws MeshException MALFORMED (schema, or deliver without exactly one service or topic) or TOO_LARGE (payload)
   */
  public static WorkItem parse(Object body, String submittedBy, SchedulerOptions options, long now) {
    JsonObject request = SCHEMA.check(body);
    Object payload = request.getValue("payload");
    if (payload != null) {
      int bytes = Json.encode(payload).getBytes(StandardCharsets.UTF_8).length;
      if (bytes > options.getMaxPayloadBytes()) {
        throw new MeshException(ErrorCode.TOO_LARGE, "payload of " + bytes + " bytes is over scheduling.max-payload-bytes ("
          + options.getMaxPayloadBytes() + "); pass a ref instead");
      }
    }
    String kind = request.getString("kind");
    String service = request.getString("service");
    String topic = request.getString("topic");
    if (DELIVER.equals(kind) && (service == null) == (topic == null)) {
      throw new MeshException(ErrorCode.MALFORMED, "work of kind deliver names exactly one of the service it is sent to "
        + "or the topic it is published on");
    }
    String id = request.getString("id", UUID.randomUUID().toString());
    long deadline = now + request.getLong("deadlineInMs", options.getDefaultDeadlineMs());
    return WorkItem.queued(id, kind, WorkClass.valueOf(request.getString("class", "NORMAL")), deadline,
      request.getDouble("cost", 1.0), payload, request.getString("ref"), service, topic,
      Placement.fromJson(request.getJsonObject("constraints")), submittedBy, now);
  }
}
