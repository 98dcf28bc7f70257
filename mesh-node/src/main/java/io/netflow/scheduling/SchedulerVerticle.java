package io.netflow.scheduling;

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
import io.netflow.scheduling.impl.ClaimCycle;
import io.netflow.scheduling.impl.Leases;
import io.netflow.scheduling.impl.WorkDurability;
import io.netflow.scheduling.impl.WorkJournal;
import io.netflow.scheduling.impl.WorkRequests;
import io.netflow.scheduling.impl.WorkRunner;
import io.netflow.scheduling.impl.WorkStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in running the mesh's deferred work. Items live in a cluster map
 * ({@link WorkStore}); the node pulls: every poll interval, and at once when work is queued (a
 * busy node a little later, so idle nodes get there first), it claims what fits its room
 * atomically under a lease, runs it, renews the lease while it runs and writes the outcome.
 * A node that leaves has its running items queued again at once; one that hangs, when its lease
 * lapses. NORMAL and BULK admission follows the CRITICAL lane's latency (AIMD); BULK also waits
 * while the mesh is busy (see {@link MeshLoad}).
 *
 * <p>This class starts the parts and answers the API (submit, status, cancel, backlog; on the bus
 * too); each concern is a part in {@code impl}: {@link ClaimCycle} (the poll-and-claim cycle),
 * {@link WorkRunner} (running an item and writing how it ended), {@link Leases} (lease renewal, and
 * requeueing a departed node's work), {@link Admission} (how much to take now), {@link WorkDurability}
 * (the journal on every node's disk) and {@link WorkStore} (the cluster map). The parts run on this
 * verticle's event loop and do their cluster work on workers.
 */
public final class SchedulerVerticle extends VerticleBase implements Scheduler {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);

  /** The node this scheduler runs on, as placement constraints see it. */
  public record Self(String nodeId, String name, Role role, String region) {
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
  private final Admission admission;
  private final MeterRegistry registry;
  private WorkRunner runner;
  private ClaimCycle cycle;
  private Leases leases;

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
  }

  @Override
  public Future<?> start() {
    createParts();
    Gauge.builder("netflow.work.running", runner, WorkRunner::count).description("Work items running on this node")
      .register(registry);
    Gauge.builder("netflow.work.limit", admission, Admission::limit)
      .description("NORMAL and BULK items this node admits at once now (AIMD on CRITICAL latency)").register(registry);
    var eb = vertx.eventBus();
    eb.<JsonObject>consumer(WorkAddresses.WORK_QUEUED, m -> cycle.hinted());
    eb.localConsumer(MembershipAddresses.NODE_DRAINING, m -> cycle.drain());
    view.onRemoved(node -> context.runOnContext(v -> leases.requeueFrom(node)));
    view.onMerged(() -> context.runOnContext(v -> durability.mend()));
    vertx.setPeriodic(options.getPollIntervalMs(), id -> cycle.tick());
    vertx.setPeriodic(leases.renewEveryMs(), id -> leases.renew());
    return durability.start(vertx).compose(v -> Future.all(
      eb.<Object>consumer(WorkAddresses.WORK_SUBMIT, m -> answer(m, m.body() instanceof JsonObject request
        ? submit(request, "bus") : Future.failedFuture(new MeshException(ErrorCode.MALFORMED,
        "a work request is a JSON object")))).completion(),
      eb.<Object>consumer(WorkAddresses.WORK_STATUS, m -> answer(m, status(idOf(m)))).completion(),
      eb.<Object>consumer(WorkAddresses.WORK_CANCEL, m -> answer(m, cancel(idOf(m)))).completion()));
  }

  /**
   * The parts this verticle is made of, each owning one concern (their class Javadoc says which),
   * all on this verticle's event loop. Only the scheduler may stop a handler's context, so it hands
   * that in ({@code WorkContext::cancel}).
   */
  private void createParts() {
    runner = new WorkRunner(vertx, context, store, options, self.nodeId(), handlers, WorkContext::cancel, registry,
      () -> cycle.poll());
    cycle = new ClaimCycle(vertx, context, store, options, self, activeModel, utilisation, admission, handlers, runner,
      registry);
    leases = new Leases(vertx, store, self.nodeId(), options.getLeaseMs(), runner, cycle::poll);
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
    if (context == null || runner == null) {
      return notReady();
    }
    int here = runner.count();
    int limit = admission.limit();
    return vertx.executeBlocking(() -> store.backlog().put("runningHere", here).put("limitHere", limit), false);
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
      e.failOn(m);
    });
  }
}
