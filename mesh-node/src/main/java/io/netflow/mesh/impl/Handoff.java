package io.netflow.mesh.impl;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work handed from one event loop of the data plane to another, and its results handed back, in
 * batches: what the source loop hands over in one turn travels as one task, and what finishes on
 * the target loop in one turn goes back as one task. A busy data plane thus pays one hop between
 * threads (and at most one wake-up) per turn in each direction instead of one per request, as the
 * gateway's ingress batches do. Work runs on the target in the order it was handed over.
 *
 * <p>{@link #run} is called only on the source loop's thread.
 */
public final class Handoff {

  private static final Logger LOG = LoggerFactory.getLogger(Handoff.class);

  private static final class Task {
    final Supplier<Future<Object>> work;
    final Promise<Object> promise = Promise.promise();
    AsyncResult<Object> result;

    Task(Supplier<Future<Object>> work) {
      this.work = work;
    }
  }

  private final Context source;
  private final Context target;
  /** Handed over this turn of the source loop; source thread only. */
  private List<Task> outgoing = new ArrayList<>();
  /** Finished this turn of the target loop; target thread only. */
  private List<Task> returning = new ArrayList<>();
  /** The target loop's thread, once it has run a batch. */
  private volatile Thread targetThread;

  public Handoff(Context source, Context target) {
    this.source = source;
    this.target = target;
  }

  /** Runs {@code work} on the target loop; its result completes the returned future on the source loop. */
  @SuppressWarnings("unchecked")
  public <T> Future<T> run(Supplier<Future<T>> work) {
    if (source == target) {
      return onThisThread(work.get());
    }
    Task task = new Task((Supplier<Future<Object>>) (Supplier<?>) work);
    if (outgoing.isEmpty()) {
      source.runOnContext(v -> flushOut());
    }
    outgoing.add(task);
    return (Future<T>) task.promise.future();
  }

  /**
   * {@code f}, completing on this thread: work on the same loop (a service handler) may complete
   * from another thread, and what follows it is confined to this one.
   */
  private <T> Future<T> onThisThread(Future<T> f) {
    if (f.isComplete()) {
      return f;
    }
    Thread here = Thread.currentThread();
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> {
      if (Thread.currentThread() == here) {
        p.handle(ar);
      } else {
        source.runOnContext(v -> p.handle(ar));
      }
    });
    return p.future();
  }

  private void flushOut() {
    List<Task> batch = outgoing;
    outgoing = new ArrayList<>();
    target.runOnContext(v -> {
      targetThread = Thread.currentThread();
      for (Task task : batch) {
        Future<Object> f;
        try {
          f = task.work.get();
        } catch (RuntimeException e) {
          f = Future.failedFuture(e);
        }
        f.onComplete(ar -> finished(task, ar));
      }
    });
  }

  private void finished(Task task, AsyncResult<Object> result) {
    if (Thread.currentThread() != targetThread) {
      // Completed off the target loop (a handler answering from another thread): join it first.
      target.runOnContext(v -> finished(task, result));
      return;
    }
    task.result = result;
    if (returning.isEmpty()) {
      target.runOnContext(v -> flushBack());
    }
    returning.add(task);
  }

  private void flushBack() {
    List<Task> batch = returning;
    returning = new ArrayList<>();
    source.runOnContext(v -> {
      for (Task t : batch) {
        try {
          t.promise.handle(t.result);
        } catch (RuntimeException e) {
          // A caller's callback threw: the others in the batch still hear.
          LOG.error("A data-plane callback failed", e);
        }
      }
    });
  }
}
