package io.netflow.scheduling;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Deferred work for the whole mesh: submit it on any node, and some node with room runs it.
 * The same operations are on the event bus ({@code netflow.work.submit}, {@code .status},
 * {@code .cancel}) and over HTTP ({@code /v1/work}).
 */
public interface Scheduler {

  /**
   * Queues work described by a work request (the JSON of {@code schemas/work-request.json}).
   * Submitting an id that exists returns that item unchanged.
   *
   * @param submittedBy who asks (an API key id, or "bus")
   * @return the item's status; fails MALFORMED, TOO_LARGE or OVERLOADED (the queue is full)
   */
  Future<JsonObject> submit(JsonObject request, String submittedBy);

  /** The item's status; fails NOT_FOUND. */
  Future<JsonObject> status(String id);

  /**
   * Cancels an item: a queued one at once, a running one when its node next hears of it.
   * Fails NOT_FOUND, or NOT_CANCELLABLE when it already finished.
   */
  Future<JsonObject> cancel(String id);

  /** Runs work of {@code kind} on this node from now on; the node claims such work when it has room. */
  void handle(String kind, WorkHandler handler);
}
