package io.netflow.scheduling;

import io.vertx.core.Future;

/**
 * Runs one kind of deferred work on this node. Called on the scheduler's event loop: a handler
 * that blocks (disk, CPU-heavy work) must move that to {@code executeBlocking}.
 *
 * <p>The returned result (any JSON value, at most {@code scheduling.max-result-bytes} encoded) is
 * kept with the item. A failure is retried on some node up to {@code scheduling.max-attempts}
 * attempts in all. Work is at-least-once: a node that dies mid-run leaves the item to be run
 * again elsewhere, so handlers should be idempotent, using {@link WorkContext#attempt()} if it helps.
 */
@FunctionalInterface
public interface WorkHandler {

  Future<Object> run(WorkContext work);
}
