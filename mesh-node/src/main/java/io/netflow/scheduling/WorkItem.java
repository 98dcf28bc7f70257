package io.netflow.scheduling;

import io.vertx.core.json.JsonObject;

/**
 * One piece of deferred work and its state, as kept in the cluster map and shown at
 * {@code GET /v1/work/{id}}. Immutable: every change makes a new item, which the store applies
 * atomically where the item is kept, no other change coming between ({@code WorkStore.update}).
 *
 * @param deadline        epoch millis by which it should be done; earliest first within a class
 * @param cost            estimated cost in work units
 * @param payload         the work's input (any JSON value), or null
 * @param ref             a reference to the input, or null
 * @param service         the mesh service a {@code deliver} item is sent to, or null
 * @param topic           the topic a {@code deliver} item is published on, or null
 * @param attempt         1 for the first run, counting every claim (a lapsed lease counts)
 * @param owner           node id of the node running it, while RUNNING
 * @param leaseUntil      epoch millis until which the owner's claim holds unless renewed
 * @param cancelRequested set when a cancel arrives while it runs; its owner stops it
 * @param notBefore       epoch millis before which a retried item is not claimed (its backoff); 0 for any time
 */
public record WorkItem(String id, String kind, WorkClass workClass, long deadline, double cost, Object payload,
                       String ref, String service, String topic, Placement placement, String submittedBy, long submittedAt,
                       WorkState state, int attempt, String owner, String ownerName, long leaseUntil,
                       long startedAt, long finishedAt, Object result, String error, boolean cancelRequested,
                       long notBefore) {

  /** A new item, queued at {@code now}. */
  public static WorkItem queued(String id, String kind, WorkClass workClass, long deadline, double cost,
                                Object payload, String ref, String service, String topic, Placement placement,
                                String submittedBy, long now) {
    return new WorkItem(id, kind, workClass, deadline, cost, payload, ref, service, topic, placement, submittedBy, now,
      WorkState.QUEUED, 0, null, null, 0, 0, 0, null, null, false, 0);
  }

  /** Claimed by {@code node} for another attempt, under a lease until {@code now + leaseMs}. */
  public WorkItem claimedBy(String node, String nodeName, long now, long leaseMs) {
    return new WorkItem(id, kind, workClass, deadline, cost, payload, ref, service, topic, placement, submittedBy,
      submittedAt, WorkState.RUNNING, attempt + 1, node, nodeName, now + leaseMs, now, 0, null, error,
      cancelRequested, 0);
  }

  /** The owner's lease, extended to {@code now + leaseMs}. */
  public WorkItem renewed(long now, long leaseMs) {
    return new WorkItem(id, kind, workClass, deadline, cost, payload, ref, service, topic, placement, submittedBy,
      submittedAt, state, attempt, owner, ownerName, now + leaseMs, startedAt, finishedAt, result, error,
      cancelRequested, notBefore);
  }

  /** Back in the queue at once: its node went away while running it (no fault of the item's). */
  public WorkItem requeued(String why) {
    return retried(why, 0);
  }

  /** Back in the queue after a failed attempt, to be claimed again no earlier than {@code notBefore}. */
  public WorkItem retried(String why, long notBefore) {
    return new WorkItem(id, kind, workClass, deadline, cost, payload, ref, service, topic, placement, submittedBy,
      submittedAt, WorkState.QUEUED, attempt, null, null, 0, startedAt, 0, null, why, cancelRequested, notBefore);
  }

  /** Finished in {@code end} state at {@code now}. */
  public WorkItem finished(WorkState end, Object result, String error, long now) {
    return new WorkItem(id, kind, workClass, deadline, cost, payload, ref, service, topic, placement, submittedBy,
      submittedAt, end, attempt, owner, ownerName, 0, startedAt, now, result, error, cancelRequested, 0);
  }

  /** Marked for cancellation while it runs. */
  public WorkItem cancelling() {
    return new WorkItem(id, kind, workClass, deadline, cost, payload, ref, service, topic, placement, submittedBy,
      submittedAt, state, attempt, owner, ownerName, leaseUntil, startedAt, finishedAt, result, error, true,
      notBefore);
  }

  /** Whether it finished (or, unfinished, is) past its deadline. */
  public boolean late(long now) {
    return (finishedAt > 0 ? finishedAt : now) > deadline;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id).put("kind", kind).put("class", workClass.name()).put("deadline", deadline).put("cost", cost)
      .put("payload", payload).put("ref", ref).put("service", service).put("topic", topic).put("constraints", placement.toJson())
      .put("submittedBy", submittedBy).put("submittedAt", submittedAt)
      .put("state", state.name()).put("attempt", attempt).put("owner", owner).put("ownerName", ownerName)
      .put("leaseUntil", leaseUntil).put("startedAt", startedAt).put("finishedAt", finishedAt)
      .put("result", result).put("error", error).put("cancelRequested", cancelRequested)
      .put("notBefore", notBefore > 0 ? notBefore : null);
    json.getMap().values().removeIf(v -> v == null);
    return json;
  }

  /** The status a client is shown: the item, and whether it is (or finished) late. */
  public JsonObject status(long now) {
    return toJson().put("late", late(now));
  }

  public static WorkItem fromJson(JsonObject json) {
    return new WorkItem(json.getString("id"), json.getString("kind"), WorkClass.valueOf(json.getString("class")),
      json.getLong("deadline"), json.getDouble("cost", 1.0), json.getValue("payload"), json.getString("ref"),
      json.getString("service"), json.getString("topic"), Placement.fromJson(json.getJsonObject("constraints")), json.getString("submittedBy"),
      json.getLong("submittedAt", 0L), WorkState.valueOf(json.getString("state")), json.getInteger("attempt", 0),
      json.getString("owner"), json.getString("ownerName"), json.getLong("leaseUntil", 0L),
      json.getLong("startedAt", 0L), json.getLong("finishedAt", 0L), json.getValue("result"), json.getString("error"),
      json.getBoolean("cancelRequested", false), json.getLong("notBefore", 0L));
  }
}
