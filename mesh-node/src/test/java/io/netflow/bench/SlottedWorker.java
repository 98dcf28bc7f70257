package io.netflow.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;

/**
 * A simulated service of fixed capacity: {@code slots} requests served at once, each taking
 * {@code serviceMs}; the rest wait in FIFO order. Runs on its own context, whoever calls it.
 */
final class SlottedWorker {

  private final Context context;
  private final int slots;
  private final long serviceMs;
  private final ArrayDeque<Promise<Buffer>> waiting = new ArrayDeque<>();
  private int busy;
  private volatile long busyNanos;
  private volatile long busySince = System.nanoTime();
  private long served;

  SlottedWorker(Context context, int slots, long serviceMs) {
    this.context = context;
    this.slots = slots;
    this.serviceMs = serviceMs;
  }

  Future<Buffer> serve() {
    Promise<Buffer> p = Promise.promise();
    context.runOnContext(v -> {
      waiting.add(p);
      startNext();
    });
    return p.future();
  }

  private void startNext() {
    while (busy < slots && !waiting.isEmpty()) {
      Promise<Buffer> p = waiting.poll();
      account();
      busy++;
      context.owner().setTimer(serviceMs, t -> {
        account();
        busy--;
        served++;
        p.complete(Buffer.buffer("done"));
        startNext();
      });
    }
  }

  private void account() {
    long now = System.nanoTime();
    busyNanos += (now - busySince) * busy;
    busySince = now;
  }

  /** Busy slot-time over available slot-time since {@code sinceNanos}, with the counter reset. */
  double utilisationSince(long sinceNanos) {
    account();
    double u = busyNanos / (double) ((System.nanoTime() - sinceNanos) * slots);
    busyNanos = 0;
    return u;
  }

  long served() {
    return served;
  }
}
