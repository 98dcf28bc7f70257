package io.netflow.scheduling.impl;

import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.scheduling.SchedulerOptions;
import io.netflow.scheduling.WorkAddresses;
import io.netflow.scheduling.WorkClass;
import io.netflow.scheduling.WorkContext;
import io.netflow.scheduling.WorkHandler;
import io.netflow.scheduling.WorkItem;
import io.netflow.scheduling.WorkState;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the items this node claimed and writes how each attempt ended. An item runs in the handler
 * of its kind; when that is done its outcome is written to the store, but only while the attempt
 * is still this node's (not cancelled, its lease not lost to another node): SUCCEEDED with its
 * result (unless the result is too large, which fails the attempt), CANCELLED when a cancel came
 * in meanwhile, else queued again after a backoff, or FAILED once out of attempts. A retried item
 * is announced so that some node claims it again; then the claim cycle looks for more work.
 *
 * <p>Owned by the scheduler's event loop (handlers are called there); outcomes are written from a
 * worker. Keeps the table of what runs here, which the claim cycle and the leases read.
 */
public final class WorkRunner {

  private static final Logger LOG = LoggerFactory.getLogger(WorkRunner.class);

  /** An item running on this node, and the context its handler was given. */
  public static final class Run {

    private final WorkItem item;
    private final WorkContext context;
    private final Consumer<WorkContext> cancel;

    private Run(WorkItem item, WorkContext context, Consumer<WorkContext> cancel) {
      this.item = item;
      this.context = context;
      this.cancel = cancel;
    }

    /** The item as claimed. */
    public WorkItem item() {
      return item;
    }

    /** Tells the handler to stop: the item was cancelled, or this node lost it (any thread). */
    public void stop() {
      cancel.accept(context);
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final WorkStore store;
  private final SchedulerOptions options;
  private final String nodeId;
  private final Map<String, WorkHandler> handlers;
  private final Consumer<WorkContext> cancel;
  private final MeterRegistry registry;
  private final Runnable next;
  private final Map<String, Run> running = new HashMap<>();

  /**
   * @param handlers the scheduler's handlers by kind (thread-safe, shared)
   * @param cancel   how a context is told to stop (the scheduler's alone to do)
   * @param next     what to do when an attempt ended and there is room again (the claim cycle's poll)
   */
  public WorkRunner(Vertx vertx, Context context, WorkStore store, SchedulerOptions options, String nodeId,
                    Map<String, WorkHandler> handlers, Consumer<WorkContext> cancel, MeterRegistry registry,
                    Runnable next) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.options = options;
    this.nodeId = nodeId;
    this.handlers = handlers;
    this.cancel = cancel;
    this.registry = registry;
    this.next = next;
  }

  /** How many items run here. */
  public int count() {
    return running.size();
  }

  /** The summed cost of what runs here. */
  public double cost() {
    return running.values().stream().mapToDouble(r -> r.item().cost()).sum();
  }

  /** How many BULK items run here. */
  public long bulk() {
    return running.values().stream().filter(r -> r.item().workClass() == WorkClass.BULK).count();
  }

  /** What runs here now, as a list a worker may walk. */
  public List<Run> snapshot() {
    return List.copyOf(running.values());
  }

  /** Runs a claimed item in its kind's handler. */
  public void run(WorkItem item) {
    WorkContext work = new WorkContext(item);
    running.put(item.id(), new Run(item, work, cancel));
    LOG.debug("Running work {} ({}, {}), attempt {}", item.id(), item.kind(), item.workClass(), item.attempt());
    Future<Object> outcome;
    try {
      outcome = handlers.get(item.kind()).run(work);
    } catch (RuntimeException bug) {
      outcome = Future.failedFuture(bug);
    }
    outcome.onComplete(ar -> context.runOnContext(v -> finish(item, ar)));
  }

  private void finish(WorkItem item, AsyncResult<Object> outcome) {
    long now = System.currentTimeMillis();
    String error = outcome.failed() ? String.valueOf(outcome.cause().getMessage()) : null;
    // Carried to the store as JSON text: the change runs where the item is kept (see WorkStore).
    String result = outcome.succeeded() && outcome.result() != null ? Json.encode(outcome.result()) : null;
    if (result != null && result.getBytes(StandardCharsets.UTF_8).length > options.getMaxResultBytes()) {
      error = "result is over scheduling.max-result-bytes (" + options.getMaxResultBytes() + ")";
      result = null;
    }
    String failure = error;
    String kept = result;
    String self = nodeId;
    int attempt = item.attempt();
    int maxAttempts = options.getMaxAttempts();
    long retryAt = now + options.retryDelayMs(attempt);
    vertx.executeBlocking(() -> {
      WorkItem after = store.update(item.id(),
        cur -> outcome(cur, self, attempt, kept, failure, now, maxAttempts, retryAt));
      if (after != null && after.state().finished()) {
        store.expireAfter(after.id(), options.getRetentionMs());
      }
      return after;
    }, false).onComplete(ar -> ended(item, ar));
  }

  private void ended(WorkItem item, AsyncResult<WorkItem> written) {
    running.remove(item.id());
    if (written.succeeded() && written.result() != null) {
      WorkItem after = written.result();
      if (after.state().finished()) {
        registry.counter("netflow.work.finished", "state", after.state().name()).increment();
      } else {
        vertx.eventBus().publish(WorkAddresses.WORK_QUEUED, new JsonObject().put("id", after.id())
          .put("class", after.workClass().name()));
      }
    } else if (written.succeeded()) {
      LOG.info("Work {} ({}) finished here after this node lost it (cancelled or its lease lapsed); outcome dropped",
        item.id(), item.kind());
    }
    next.run();
  }

  /**
   * The item after {@code node}'s attempt ended, or null when the attempt is no longer that node's.
   * Static, and given only plain values, so that the change it makes can travel to the store.
   *
   * @param result the handler's result as JSON text, or null
   * @param failure why the attempt failed, or null when it succeeded
   * @param retryAt when a failed attempt may be retried
   */
  static WorkItem outcome(WorkItem cur, String node, int attempt, String result, String failure, long now,
                          int maxAttempts, long retryAt) {
    if (cur.state() != WorkState.RUNNING || !node.equals(cur.owner()) || cur.attempt() != attempt) {
      return null;
    }
    if (cur.cancelRequested()) {
      return cur.finished(WorkState.CANCELLED, null, "cancelled while running", now);
    }
    if (failure == null) {
      return cur.finished(WorkState.SUCCEEDED, result == null ? null : Json.decodeValue(result), null, now);
    }
    return cur.attempt() < maxAttempts ? cur.retried(failure, retryAt) : cur.finished(WorkState.FAILED, null, failure, now);
  }
}
