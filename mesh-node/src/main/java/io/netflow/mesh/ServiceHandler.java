package io.netflow.mesh;

import io.netflow.gateway.protocol.Envelope;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Serves requests to a hosted service. Called on the data plane's event loop: never block; hand
 * heavy work to {@code executeBlocking} or a worker. A failed future with a
 * {@link io.netflow.gateway.protocol.MeshException} keeps its code; any other failure is INTERNAL.
 */
@FunctionalInterface
public interface ServiceHandler {
  Future<Buffer> handle(Envelope request);
}
