package io.netflow.scheduling.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.scheduling.SchedulerOptions;
import io.netflow.scheduling.SchedulerVerticle;
import io.netflow.scheduling.WorkClass;
import io.netflow.scheduling.WorkHandler;
import io.netflow.scheduling.WorkItem;
import io.netflow.scheduling.WorkState;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll-and-claim cycle: how this node pulls work. A poll weighs the room this node has (its
 * concurrency, the adaptive limit from {@link Admission}, the BULK share, the cost budget) against
 * what runs ({@link WorkRunner}), then, on a worker, finds the waiting work it has handlers for
 * (queued items, and running ones whose lease lapsed), ends what must not run any more (past a
 * REALTIME deadline, out of attempts, cancelled), picks by {@link Claims} what fits and may run
 * here, and claims each item atomically under a fresh lease. What it won goes to the runner; it
 * polls again at once while it wins work or was asked meanwhile. A hint that work was queued makes
 * an idle node look at once and a busy one a little later, so idle nodes get there first.
 *
 * <p>The periodic poll ({@link #tick()}, every {@code scheduling.poll-interval-ms}) is a safety net
 * for what no hint announces (a lease that lapses, a deadline that makes BULK urgent, a quiet
 * window). While the mesh is quiet and polls find nothing at all waiting (no queued item of this
 * node's kinds, no lapsed lease), it looks every 2nd, 4th, then 8th tick: an idle mesh does not
 * run cluster-wide queries twice a second on every node. Any hint, any item found, or a busy mesh
 * brings it back to every tick. The price: a lease that lapses in an idle mesh (its node hung but
 * still a member; a node that leaves has its work put back at once) is found up to 8 ticks later.
 *
 * <p>Owned by the scheduler's event loop; the cluster queries and claims run on a worker, one
 * poll at a time.
 */
public final class ClaimCycle {

  private static final Logger LOG = LoggerFactory.getLogger(ClaimCycle.class);

  private final Vertx vertx;
  private final Context context;
  private final WorkStore store;
  private final SchedulerOptions options;
  private final SchedulerVerticle.Self self;
  private final Function<String, String> activeModel;
  private final DoubleSupplier utilisation;
  private final Admission admission;
  private final Map<String, WorkHandler> handlers;
  private final WorkRunner runner;
  private final Counter claimed;
  private final Counter polls;
  private boolean polling;
  private boolean pollAgain;
  private boolean draining;
  /** Polls in a row that found nothing waiting at all, and periodic ticks skipped since the last poll. */
  private int idlePolls;
  private int skipped;

  /** What one look found: the items won, and whether anything was waiting at all. */
  private record Found(List<WorkItem> won, boolean anyWaiting) {
  }

  /**
   * @param activeModel the version of a model active on this node (null when none)
   * @param utilisation this node's own load in [0, 1]: a busier node answers a work hint later
   * @param handlers    the scheduler's handlers by kind (thread-safe, shared): the kinds it claims
   */
  public ClaimCycle(Vertx vertx, Context context, WorkStore store, SchedulerOptions options, SchedulerVerticle.Self self,
                    Function<String, String> activeModel, DoubleSupplier utilisation, Admission admission,
                    Map<String, WorkHandler> handlers, WorkRunner runner, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.options = options;
    this.self = self;
    this.activeModel = activeModel;
    this.utilisation = utilisation;
    this.admission = admission;
    this.handlers = handlers;
    this.runner = runner;
    this.claimed = Counter.builder("netflow.work.claimed").description("Work items this node claimed").register(registry);
    this.polls = Counter.builder("netflow.work.polls")
      .description("Looks for waiting work (cluster-wide queries) this node made").register(registry);
  }

  /** The node is draining: it claims nothing more (what runs finishes). */
  public void drain() {
    draining = true;
  }

  /**
   * The periodic safety net: polls now, or, after polls that found nothing waiting, every 2nd,
   * 4th, then 8th time it is called.
   */
  public void tick() {
    int every = 1 << Math.min(3, idlePolls);
    if (++skipped < every) {
      return;
    }
    skipped = 0;
    poll();
  }

  /** Work was queued somewhere: look now, or a little later the busier this node is. */
  public void hinted() {
    idlePolls = 0;
    long delay = (long) (Math.min(1, Math.max(0, utilisation.getAsDouble())) * options.getPollIntervalMs());
    if (delay < 1) {
      poll();
    } else {
      vertx.setTimer(delay, id -> poll());
    }
  }

  /** Claims what fits this node's room now; while a poll is under way, asks for another after it. */
  public void poll() {
    if (polling) {
      pollAgain = true;
      return;
    }
    if (draining || handlers.isEmpty()) {
      return;
    }
    int running = runner.count();
    int limit = admission.adapt(running);
    boolean quiet = admission.quiet();
    Claims.Room room = room(running, limit, quiet);
    if (room.none()) {
      return;
    }
    List<String> kinds = List.copyOf(handlers.keySet());
    polling = true;
    polls.increment();
    vertx.executeBlocking(() -> claim(kinds, room, quiet), false).onComplete(ar -> {
      polling = false;
      if (ar.failed()) {
        LOG.warn("Looking for work failed: {}", ar.cause().toString());
        return;
      }
      Found found = ar.result();
      // Only a quiet mesh's poll sees every queued item (a busy one's leaves BULK that is not yet
      // urgent out), so only a quiet poll that found nothing counts as idle.
      idlePolls = !quiet || found.anyWaiting() || !found.won().isEmpty() ? 0 : idlePolls + 1;
      found.won().forEach(runner::run);
      if (pollAgain || !found.won().isEmpty()) {
        pollAgain = false;
        context.runOnContext(v -> poll());
      }
    });
  }

  private Claims.Room room(int running, int limit, boolean quiet) {
    int bulkSlots = (int) ((quiet ? options.getMaxConcurrency() : options.getBusyBulkConcurrency()) - runner.bulk());
    return new Claims.Room(options.getMaxConcurrency() - running, limit - running, bulkSlots,
      options.getMaxCostInFlight() - runner.cost(), running == 0);
  }

  /** On a worker: finds waiting work, settles what is dead or exhausted, and claims what fits. */
  private Found claim(List<String> kinds, Claims.Room room, boolean quiet) {
    long now = System.currentTimeMillis();
    List<WorkItem> waiting = new ArrayList<>();
    for (WorkItem item : store.lapsed(now)) {
      if (kinds.contains(item.kind())) {
        waiting.add(item);
      }
    }
    waiting.addAll(store.queued(kinds, quiet ? Long.MAX_VALUE : now + options.getBulkUrgencyMs()));
    boolean anyWaiting = !waiting.isEmpty();
    waiting.removeIf(item -> settled(item, now));
    List<WorkItem> chosen = Claims.choose(waiting, this::placeable, room, quiet, now, options.getBulkUrgencyMs());
    List<WorkItem> won = new ArrayList<>();
    for (WorkItem want : chosen) {
      WorkItem got = claimOne(want.id(), now);
      if (got != null) {
        if (want.state() == WorkState.RUNNING) {
          LOG.info("Work {} ({}) reclaimed from {}: its lease lapsed; attempt {}", got.id(), got.kind(),
            want.ownerName(), got.attempt());
        }
        won.add(got);
      }
    }
    claimed.increment(won.size());
    return new Found(won, anyWaiting);
  }

  /** Claims one item for this node if it is still claimable; the item as claimed, or null. */
  private WorkItem claimOne(String id, long polledAt) {
    String nodeId = self.nodeId();
    String name = self.name();
    long leaseMs = options.getLeaseMs();
    // The lease runs from the claim itself, not from the start of the poll: the queries before it
    // can take longer than a lease while the cluster rebalances, and a lease born lapsed is reclaimed.
    long claimedAt = System.currentTimeMillis();
    return store.update(id, cur -> claimable(cur, polledAt) ? cur.claimedBy(nodeId, name, claimedAt, leaseMs) : null);
  }

  private static boolean claimable(WorkItem cur, long now) {
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
    WorkState seen = item.state();
    int attempt = item.attempt();
    WorkState finalState = end;
    String reason = why;
    if (store.update(item.id(), cur -> cur.state() == seen && cur.attempt() == attempt
      ? cur.finished(finalState, null, reason, now) : null) != null) {
      store.expireAfter(item.id(), options.getRetentionMs());
    }
    return true;
  }

  private boolean placeable(WorkItem item) {
    return item.placement().admits(self.role(), self.region(), activeModel);
  }
}
