package io.netflow.mesh;

import io.vertx.core.buffer.Buffer;

/**
 * A service's answer.
 *
 * @param nodeId   the node that served it
 * @param attempts how many nodes were tried (1 unless the request was rerouted)
 */
public record Reply(Buffer body, String nodeId, int attempts) {
}
