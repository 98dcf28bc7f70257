package io.netflow.console;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What the console shows, as the node publishes it: one JSON snapshot of the mesh (nodes and
 * their load, model rollouts, the work backlog, the reward schedule, recent events). The console
 * knows nothing of how it is computed.
 */
@FunctionalInterface
public interface ConsoleFeed {

  Future<JsonObject> snapshot();
}
