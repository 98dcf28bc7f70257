package io.netflow.scheduling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Role;
import io.netflow.lanes.LaneStats;
import io.netflow.membership.MembershipAddresses;
import io.netflow.membership.MeshLoad;
import io.netflow.membership.MeshView;
import io.netflow.scheduling.impl.Admission;
import io.netflow.scheduling.impl.Claims;
import io.netflow.scheduling.impl.WorkDurability;
import io.netflow.scheduling.impl.WorkJournal;
import io.netflow.scheduling.impl.WorkRequests;
import io.netflow.scheduling.impl.WorkStore;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in running the mesh's deferred work. Items live in a cluster map
 * ({@link WorkStore}); the node pulls: every poll interval, and at once when work is queued (a
 * busy node a little later, so idle nodes get there first), it claims what fits its room by
 * compare-and-set under a lease, runs it, renews the lease while it runs and writes the outcome.
 * A node that leaves has its running items queued again at once; one that hangs, when its lease
 * lapses. NORMAL and BULK admission follows the CRITICAL lane's latency (AIMD); BULK also waits
 * while the mesh is busy (see {@link MeshLoad}).
 */
public final class SchedulerVerticle extends VerticleBase implements Scheduler {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);

  /** The node this scheduler runs on, as placement constraints see it. */
  public record Self(String nodeId, String name, Role role, String region) {
  }

  private record Running(WorkItem item, WorkContext context) {
  }

  private final SchedulerOptions options;
  private final WorkStore store;
  private final WorkJournal journal;
  private final WorkDurability durability;
  private final Self self;
  private final MeshView view;
  private final Function<String, String> activeModel;
  private final DoubleSupplier utilisation;
  private final Map<String, WorkHandler> handlers = new ConcurrentHashMap<>();
  private final Map<String, Running> running = new HashMap<>();
  private final Admission admission;
  private final Counter claimed;
  private final MeterRegistry registry;
  private boolean polling;
  private boolean pollAgain;
  private boolean draining;

  /**
   * @param activeModel the version of a model active on this node (null when none)
   * @param utilisation this node's own load in [0, 1]: a busier node answers a work hint later
   */
  public SchedulerVerticle(SchedulerOptions options, WorkStore store, WorkJournal journal, Self self, MeshView view,
                           MeshLoad load, LaneStats lanes, Function<String, String> activeModel,
                           DoubleSupplier utilisation, MeterRegistry registry) {
    this.options = options;
    this.store = store;
    this.journal = journal;
    this.durability = new WorkDurability(store, journal, options.getRetentionMs(), registry);
    this.self = self;
    this.view = view;
    this.activeModel = activeModel;
    this.utilisation = utilisation;
    this.registry = registry;
    this.admission = new Admission(options, load, lanes);
    this.claimed = Counter.builder("netflow.work.claimed").description("Work items this node claimed").register(registry);
  }

  @Override
  public Future<?> start() {
    Gauge.builder("netflow.work.running", running, Map::size).description("Work items running on this node")
      .register(registry);
    Gauge.builder("netflow.work.limit", admission, Admission::limit)
      .description("NORMAL and BULK items this node admits at once now (AIMD on CRITICAL latency)").register(registry);
    var eb = vertx.eventBus();
    eb.<JsonObject>consumer(WorkAddresses.WORK_QUEUED, m -> hinted());
    eb.localConsumer(MembershipAddresses.NODE_DRAINING, m -> draining = true);
    view.onRemoved(node -> context.runOnContext(v -> requeueFrom(node)));
    vertx.setPeriodic(options.getPollIntervalMs(), id -> poll());
    vertx.setPeriodic(Math.max(50, options.getLeaseMs() / 3), id -> renewLeases());
    return durability.start(vertx).compose(v -> Future.all(
      eb.<Object>consumer(WorkAddresses.WORK_SUBMIT, m -> answer(m, m.body() instanceof JsonObject request
        ? submit(request, "bus") : Future.failedFuture(new MeshException(ErrorCode.MALFORMED,
        "a work request is a JSON object")))).completion(),
      eb.<Object>consumer(WorkAddresses.WORK_STATUS, m -> answer(m, status(idOf(m)))).completion(),
      eb.<Object>consumer(WorkAddresses.WORK_CANCEL, m -> answer(m, cancel(idOf(m)))).completion()));
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(() -> {
      journal.close();
      return null;
    });
  }

  @Override
  public void handle(String kind, WorkHandler handler) {
    handlers.put(kind, handler);
  }

  @Override
  public Future<JsonObject> submit(JsonObject request, String submittedBy) {
    if (context == null) {
      return notReady();
    }
    long now = System.currentTimeMillis();
    WorkItem item;
    try {
      item = WorkRequests.parse(request, submittedBy, options, now);
    } catch (MeshException bad) {
      return Future.failedFuture(bad);
    }
    return vertx.executeBlocking(() -> {
      if (store.unfinishedAtLeast(options.getMaxQueued())) {
        throw new MeshException(ErrorCode.OVERLOADED, "the mesh holds scheduling.max-queued ("
          + options.getMaxQueued() + ") unfinished items", 1_000);
      }
      WorkItem prior = store.putIfAbsent(item);
      return prior == null ? item.status(now).put("created", true) : prior.status(now).put("created", false);
    }, false).onSuccess(status -> {
      if (status.getBoolean("created")) {
        LOG.debug("Work {} ({}, {}) queued by {}", item.id(), item.kind(), item.workClass(), submittedBy);
        vertx.eventBus().publish(WorkAddresses.WORK_QUEUED, new JsonObject().put("id", item.id())
          .put("class", item.workClass().name()));
      }
    });
  }

  @Override
  public Future<JsonObject> status(String id) {
    if (context == null) {
      return notReady();
    }
    return vertx.executeBlocking(() -> {
      WorkItem item = store.get(id);
      if (item == null) {
        throw new MeshException(ErrorCode.NOT_FOUND, "no work item " + id);
      }
      return item.status(System.currentTimeMillis());
    }, false);
  }

  @Override
  public Future<JsonObject> cancel(String id) {
    if (context == null) {
      return notReady();
    }
    return vertx.executeBlocking(() -> {
      long now = System.currentTimeMillis();
      WorkItem after = store.update(id, cur -> switch (cur.state()) {
        case QUEUED -> cur.finished(WorkState.CANCELLED, null, "cancelled", now);
        case RUNNING -> cur.cancelRequested() ? null : cur.cancelling();
        default -> throw new MeshException(ErrorCode.NOT_CANCELLABLE, "work item " + id + " already " + cur.state());
      });
      if (after == null) {
        WorkItem cur = store.get(id);
        if (cur == null) {
          throw new MeshException(ErrorCode.NOT_FOUND, "no work item " + id);
        }
        return cur.status(now);
      }
      if (after.state().finished()) {
        store.expireAfter(id, options.getRetentionMs());
      }
      return after.status(now);
    }, false);
  }

  /** The mesh's unfinished work by state and class, and what runs on this node. */
  public Future<JsonObject> backlog() {
    if (context == null) {
      return notReady();
    }
    int here = running.size();
    int limit = admission.limit();
    return vertx.executeBlocking(() -> store.backlog().put("runningHere", here).put("limitHere", limit), false);
  }

  /** Work was queued somewhere: look now, or a little later the busier this node is. */
  private void hinted() {
    long delay = (long) (Math.min(1, Math.max(0, utilisation.getAsDouble())) * options.getPollIntervalMs());
    if (delay < 1) {
      poll();
    } else {
      vertx.setTimer(delay, id -> poll());
    }
  }

  private void poll() {
    if (polling) {
      pollAgain = true;
      return;
    }
    if (draining || handlers.isEmpty()) {
      return;
    }
    int limit = admission.adapt(running.size());
    double busyCost = running.values().stream().mapToDouble(r -> r.item().cost()).sum();
    boolean quiet = admission.quiet();
    long bulkRunning = running.values().stream().filter(r -> r.item().workClass() == WorkClass.BULK).count();
    int bulkSlots = (int) ((quiet ? options.getMaxConcurrency() : options.getBusyBulkConcurrency()) - bulkRunning);
    Claims.Room room = new Claims.Room(options.getMaxConcurrency() - running.size(),
      limit - running.size(), bulkSlots, options.getMaxCostInFlight() - busyCost, running.isEmpty());
    if (room.none()) {
      return;
    }
    List<String> kinds = List.copyOf(handlers.keySet());
    polling = true;
    vertx.executeBlocking(() -> claim(kinds, room, quiet), false).onComplete(ar -> {
      polling = false;
      if (ar.failed()) {
        LOG.warn("Looking for work failed: {}", ar.cause().toString());
        return;
      }
      ar.result().forEach(this::run);
      if (pollAgain || !ar.result().isEmpty()) {
        pollAgain = false;
        context.runOnContext(v -> poll());
      }
    });
  }

  /** On a worker: finds waiting work, settles what is dead or exhausted, and claims what fits. */
  private List<WorkItem> claim(List<String> kinds, Claims.Room room, boolean quiet) {
    long now = System.currentTimeMillis();
    List<WorkItem> waiting = new java.util.ArrayList<>();
    for (WorkItem item : store.lapsed(now)) {
      if (kinds.contains(item.kind())) {
        waiting.add(item);
      }
    }
    waiting.addAll(store.queued(kinds, quiet ? Long.MAX_VALUE : now + options.getBulkUrgencyMs()));
    waiting.removeIf(item -> settled(item, now));
    List<WorkItem> chosen = Claims.choose(waiting, this::placeable, room, quiet, now, options.getBulkUrgencyMs());
    List<WorkItem> won = new java.util.ArrayList<>();
    for (WorkItem want : chosen) {
      // The lease runs from the claim itself, not from the start of the poll: the queries before it
      // can take longer than a lease while the cluster rebalances, and a lease born lapsed is reclaimed.
      WorkItem got = store.update(want.id(), cur -> claimable(cur, now)
        ? cur.claimedBy(self.nodeId(), self.name(), System.currentTimeMillis(), options.getLeaseMs()) : null);
      if (got != null) {
        if (want.state() == WorkState.RUNNING) {
          LOG.info("Work {} ({}) reclaimed from {}: its lease lapsed; attempt {}", got.id(), got.kind(),
            want.ownerName(), got.attempt());
        }
        won.add(got);
      }
    }
    claimed.increment(won.size());
    return won;
  }

  private boolean claimable(WorkItem cur, long now) {
    return cur.state() == WorkState.QUEUED && !cur.cancelRequested()
      || cur.state() == WorkState.RUNNING && cur.leaseUntil() < now;
  }

  /** Ends what must not run: REALTIME past its deadline, items out of attempts. True when it ended. */
  private boolean settled(WorkItem item, long now) {
    WorkState end = null;
    String why = null;
    if (item.workClass() == WorkClass.REALTIME && item.deadline() < now) {
      end = WorkState.EXPIRED;
      why = "deadline passed before any node could run it";
    } else if (item.attempt() >= options.getMaxAttempts()) {
      end = WorkState.FAILED;
      why = "gave up after " + item.attempt() + " attempts; last: " + item.error();
    } else if (item.cancelRequested()) {
      end = WorkState.CANCELLED;
      why = "cancelled";
    }
    if (end == null) {
      return false;
    }
    WorkState finalState = end;
    String reason = why;
    if (store.update(item.id(), cur -> cur.state() == item.state() && cur.attempt() == item.attempt()
      ? cur.finished(finalState, null, reason, now) : null) != null) {
      store.expireAfter(item.id(), options.getRetentionMs());
    }
    return true;
  }

  private boolean placeable(WorkItem item) {
    return item.placement().admits(self.role(), self.region(), activeModel);
  }

  private void run(WorkItem item) {
    WorkContext work = new WorkContext(item);
    running.put(item.id(), new Running(item, work));
    LOG.debug("Running work {} ({}, {}), attempt {}", item.id(), item.kind(), item.workClass(), item.attempt());
    Future<Object> outcome;
    try {
      outcome = handlers.get(item.kind()).run(work);
    } catch (RuntimeException bug) {
      outcome = Future.failedFuture(bug);
    }
    outcome.onComplete(ar -> context.runOnContext(v -> finish(item, work, ar)));
  }

  private void finish(WorkItem item, WorkContext work, AsyncResult<Object> outcome) {
    long now = System.currentTimeMillis();
    String error = outcome.failed() ? String.valueOf(outcome.cause().getMessage()) : null;
    Object result = outcome.succeeded() ? outcome.result() : null;
    if (result != null && Json.encode(result).getBytes(StandardCharsets.UTF_8).length > options.getMaxResultBytes()) {
      error = "result is over scheduling.max-result-bytes (" + options.getMaxResultBytes() + ")";
      result = null;
    }
    String failure = error;
    Object kept = result;
    vertx.executeBlocking(() -> {
      WorkItem after = store.update(item.id(), cur -> outcome(cur, item, kept, failure, now));
      if (after != null && after.state().finished()) {
        store.expireAfter(after.id(), options.getRetentionMs());
      }
      return after;
    }, false).onComplete(ar -> {
      running.remove(item.id());
      if (ar.succeeded() && ar.result() != null) {
        WorkItem after = ar.result();
        if (after.state().finished()) {
          registry.counter("netflow.work.finished", "state", after.state().name()).increment();
        } else {
          vertx.eventBus().publish(WorkAddresses.WORK_QUEUED, new JsonObject().put("id", after.id())
            .put("class", after.workClass().name()));
        }
      } else if (ar.succeeded()) {
        LOG.info("Work {} ({}) finished here after this node lost it (cancelled or its lease lapsed); outcome dropped",
          item.id(), item.kind());
      }
      poll();
    });
  }

  /** The item after this node's attempt ended, or null when the attempt is no longer this node's. */
  private WorkItem outcome(WorkItem cur, WorkItem attempt, Object result, String failure, long now) {
    if (cur.state() != WorkState.RUNNING || !self.nodeId().equals(cur.owner()) || cur.attempt() != attempt.attempt()) {
      return null;
    }
    if (cur.cancelRequested()) {
      return cur.finished(WorkState.CANCELLED, null, "cancelled while running", now);
    }
    if (failure == null) {
      return cur.finished(WorkState.SUCCEEDED, result, null, now);
    }
    return cur.attempt() < options.getMaxAttempts() ? cur.retried(failure, now + options.retryDelayMs(cur.attempt()))
      : cur.finished(WorkState.FAILED, null, failure, now);
  }

  private void renewLeases() {
    if (running.isEmpty()) {
      return;
    }
    List<Running> owned = List.copyOf(running.values());
    vertx.executeBlocking(() -> {
      long now = System.currentTimeMillis();
      for (Running r : owned) {
        WorkItem after = store.update(r.item().id(), cur ->
          cur.state() == WorkState.RUNNING && self.nodeId().equals(cur.owner()) && cur.attempt() == r.item().attempt()
            ? cur.renewed(now, options.getLeaseMs()) : null);
        if (after == null || after.cancelRequested()) {
          r.context().cancel();
        }
      }
      return null;
    }, false).onFailure(err -> LOG.warn("Renewing work leases failed: {}", err.toString()));
  }

  /** A node left: its running items go back to the queue now rather than when their leases lapse. */
  private void requeueFrom(String node) {
    vertx.executeBlocking(() -> {
      int n = 0;
      for (WorkItem item : store.ownedBy(node)) {
        if (store.update(item.id(), cur -> cur.state() == WorkState.RUNNING && node.equals(cur.owner())
          ? cur.requeued("node " + cur.ownerName() + " left while running it") : null) != null) {
          n++;
        }
      }
      return n;
    }, false).onSuccess(n -> {
      if (n > 0) {
        LOG.info("Requeued {} work item(s) of departed node {}", n, node);
        poll();
      }
    });
  }

  private static Future<JsonObject> notReady() {
    return Future.failedFuture(new MeshException(ErrorCode.NOT_READY, "the scheduler is starting", 1_000));
  }

  private static String idOf(Message<Object> m) {
    return m.body() instanceof JsonObject json && json.getValue("id") instanceof String id ? id : "";
  }

  private static void answer(Message<Object> m, Future<JsonObject> result) {
    result.onSuccess(m::reply).onFailure(err -> {
      MeshException e = MeshException.of(err);
      m.fail(e.code().code(), e.wireMessage());
    });
  }
}
