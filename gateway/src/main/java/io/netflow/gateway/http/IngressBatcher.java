package io.netflow.gateway.http;

import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.IngressBatch;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the requests a gateway answers on acceptance (NORMAL, MODEL, BULK) that one turn of its
 * event loop reads, from every connection, and hands them to the node's mesh as one
 * {@link IngressBatch}: the first request of a turn schedules the hand-over for the end of that
 * turn, and a batch that reaches {@code gateway.ingress-batch-max} goes at once. A busy gateway thus
 * pays one hop between threads (and one wake-up of the mesh's event loop) per turn instead of one
 * per request; an idle one sends batches of one, no later than it would have sent the request.
 *
 * <p>One per event-loop context, used only from that context's thread.
 */
final class IngressBatcher {

  private static final String CONTEXT_KEY = "netflow.ingress-batcher";

  private final Vertx vertx;
  private final Context context;
  private final int max;
  private List<Envelope> envelopes = new ArrayList<>();
  private List<Promise<String>> waiting = new ArrayList<>();
  private long timeoutMs;

  private IngressBatcher(Vertx vertx, Context context, int max) {
    this.vertx = vertx;
    this.context = context;
    this.max = max;
  }

  /** The batcher of the calling thread's context. */
  static IngressBatcher current(Vertx vertx, int max) {
    Context context = vertx.getOrCreateContext();
    IngressBatcher batcher = context.get(CONTEXT_KEY);
    if (batcher == null) {
      batcher = new IngressBatcher(vertx, context, max);
      context.put(CONTEXT_KEY, batcher);
    }
    return batcher;
  }

  /**
   * Adds a request to this turn's batch.
   *
   * @param timeoutMs how long to wait for the mesh's answer before failing it TIMEOUT
   * @return the id of the node that took it, or a {@link MeshException}
   */
  Future<String> accept(Envelope envelope, long timeoutMs) {
    if (envelopes.isEmpty()) {
      context.runOnContext(v -> flush());
    }
    Promise<String> promise = Promise.promise();
    envelopes.add(envelope);
    waiting.add(promise);
    this.timeoutMs = Math.max(this.timeoutMs, timeoutMs);
    if (envelopes.size() >= max) {
      flush();
    }
    return promise.future();
  }

  private void flush() {
    if (envelopes.isEmpty()) {
      return;
    }
    List<Promise<String>> batch = waiting;
    IngressBatch message = new IngressBatch(envelopes);
    DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMs);
    envelopes = new ArrayList<>();
    waiting = new ArrayList<>();
    timeoutMs = 0;
    vertx.eventBus().<IngressBatch.Outcomes>request(Addresses.INGRESS_BATCH, message, options).onComplete(ar -> {
      if (ar.failed()) {
        MeshException failure = MeshException.of(ar.cause());
        batch.forEach(p -> p.fail(failure));
        return;
      }
      List<IngressBatch.Outcome> outcomes = ar.result().body().outcomes();
      for (int i = 0; i < batch.size(); i++) {
        IngressBatch.Outcome o = i < outcomes.size() ? outcomes.get(i)
          : IngressBatch.Outcome.refused(new MeshException(ErrorCode.INTERNAL, "the mesh answered " + outcomes.size()
            + " of " + batch.size() + " requests"));
        if (o.failure() == null) {
          batch.get(i).complete(o.nodeId());
        } else {
          batch.get(i).fail(o.failure());
        }
      }
    });
  }
}
