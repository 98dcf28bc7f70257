package io.netflow.lanes;

import io.netflow.gateway.protocol.Envelope;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Puts one envelope on the wire to one node and completes with its answer, or with the failure
 * (a {@link io.vertx.core.eventbus.ReplyException}, as the event bus gives it, or a {@code MeshException}).
 */
@FunctionalInterface
public interface Transmitter {
  Future<Buffer> send(String nodeId, Envelope envelope, long timeoutMs);
}
