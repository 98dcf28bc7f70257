package io.netflow.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Keeps a fixed number of calls outstanding until stopped (closed-loop load). */
final class Loop {

  private final Vertx vertx;
  private final int outstanding;
  private final Supplier<Future<?>> call;
  private final AtomicInteger running = new AtomicInteger();
  private final Promise<Void> drained = Promise.promise();
  final AtomicLong completed = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  private volatile boolean stopped;

  Loop(Vertx vertx, int outstanding, Supplier<Future<?>> call) {
    this.vertx = vertx;
    this.outstanding = outstanding;
    this.call = call;
  }

  Loop start() {
    for (int i = 0; i < outstanding; i++) {
      running.incrementAndGet();
      vertx.runOnContext(v -> next());
    }
    return this;
  }

  private void next() {
    if (stopped) {
      if (running.decrementAndGet() == 0) {
        drained.tryComplete();
      }
      return;
    }
    call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        completed.incrementAndGet();
        next();
      } else {
        failed.incrementAndGet();
        // A refusal answers at once: back off a little rather than spin.
        vertx.setTimer(5, t -> next());
      }
    });
  }

  /** Stops sending; completes when every outstanding call has finished. */
  Future<Void> stop() {
    stopped = true;
    return drained.future();
  }
}
