package io.netflow.lanes;

import io.netflow.gateway.protocol.Envelope;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;

/** Puts one envelope on the wire to one node and completes with its answer. */
@FunctionalInterface
public interface Transmitter {
  Future<Message<Buffer>> send(String nodeId, Envelope envelope, long timeoutMs);
}
