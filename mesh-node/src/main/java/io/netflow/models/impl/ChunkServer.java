package io.netflow.models.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.models.ModelStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/**
 * Serves the chunks this node holds to the peers that fetch them (the model verticle hosts it as
 * the chunk service): a chunk goes out only within the upload budget, waiting for it if need be,
 * and is read from disk on a worker. A chunk this node does not hold is NOT_FOUND, so the peer
 * asks another holder.
 *
 * <p>Runs where the mesh calls hosted services, on the data plane's event loop, not the model
 * verticle's: it reads the versions and their chunk bitmaps that the model verticle's loop writes,
 * without a hop or a lock (as the verticle did before this class was split out of it).
 */
public final class ChunkServer {

  private final Vertx vertx;
  private final ModelStore store;
  private final Map<String, Rollout> rollouts;
  private final ModelBandwidth bandwidth;
  private final Counter served;

  /** @param rollouts the verticle's versions by id, read only */
  public ChunkServer(Vertx vertx, ModelStore store, Map<String, Rollout> rollouts, ModelBandwidth bandwidth,
                     MeterRegistry registry) {
    this.vertx = vertx;
    this.store = store;
    this.rollouts = rollouts;
    this.bandwidth = bandwidth;
    this.served = Counter.builder("netflow.model.chunks.served").description("Chunks served to peers").register(registry);
  }

  /** Hands a chunk to a peer ({@code model} and {@code chunk} headers), within the upload budget. */
  public Future<Buffer> serve(Envelope request) {
    Rollout r = rollouts.get(request.headers().getOrDefault("model", ""));
    int chunk;
    try {
      chunk = Integer.parseInt(request.headers().getOrDefault("chunk", "-1"));
    } catch (NumberFormatException e) {
      return Future.failedFuture(new MeshException(ErrorCode.MALFORMED, "bad chunk index"));
    }
    if (r == null || chunk < 0 || !r.have.get(chunk)) {
      return Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "chunk not held here"));
    }
    Promise<Void> allowed = Promise.promise();
    waitUpload(r.manifest.chunkLength(chunk), allowed);
    return allowed.future().compose(v -> vertx.executeBlocking(() -> store.readChunk(r.manifest, chunk), false))
      .onSuccess(b -> served.increment());
  }

  private void waitUpload(int bytes, Promise<Void> allowed) {
    long wait = bandwidth.takeUpload(bytes);
    if (wait == 0) {
      allowed.complete();
    } else {
      vertx.setTimer(Math.max(1, wait / 1_000_000), t -> waitUpload(bytes, allowed));
    }
  }
}
