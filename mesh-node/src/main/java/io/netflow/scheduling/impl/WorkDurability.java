package io.netflow.scheduling.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.scheduling.WorkAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes accepted work as durable as the reward ledger: every change to an item is journaled on
 * every node's disk ({@link WorkJournal}), and at start a node puts its journal back into the
 * cluster map ({@link WorkStore#restore}), then journals what the map holds that it lacks. It puts
 * its journal back again after its side of a split cluster merged into the other ({@link #mend}).
 * The node that accepts a submission, and the one that ends an item, force their line to disk
 * before they answer; peers journal what they hear of ({@link Addresses#WORK_CHANGED}) as it comes.
 *
 * <p>Runs its disk and cluster work on worker threads; {@link #start} on the scheduler's context.
 */
public final class WorkDurability {

  private static final Logger LOG = LoggerFactory.getLogger(WorkDurability.class);
  private static final long COMPACT_EVERY_MS = 60_000;

  private final WorkStore store;
  private final WorkJournal journal;
  private final long retentionMs;
  private final Counter failures;
  private final List<JsonObject> heard = new ArrayList<>();
  private Vertx vertx;
  private boolean writing;

  public WorkDurability(WorkStore store, WorkJournal journal, long retentionMs, MeterRegistry registry) {
    this.store = store;
    this.journal = journal;
    this.retentionMs = retentionMs;
    this.failures = Counter.builder("netflow.writes.failed").tag("what", "work-journal")
      .description("Writes that failed (logged at WARN), by what was written").register(registry);
  }

  /** Restores the queue from this node's journal, learns the rest, then journals every change. */
  public Future<Void> start(Vertx vertx) {
    this.vertx = vertx;
    store.listen((record, item, isNew) -> {
      // On the worker that made the change: its own line first (forced for a submission and an end).
      append(record, isNew || item.state().finished());
      vertx.eventBus().publish(WorkAddresses.WORK_CHANGED, record);
    });
    vertx.eventBus().<JsonObject>consumer(WorkAddresses.WORK_CHANGED, m -> hear(m.body()));
    vertx.setPeriodic(COMPACT_EVERY_MS, t -> vertx.executeBlocking(
      () -> journal.compactIfDue(retentionMs, System.currentTimeMillis()), false)
      .onSuccess(dropped -> {
        if (dropped > 0) {
          LOG.debug("Compacted the work journal: {} line(s) dropped", dropped);
        }
      })
      .onFailure(err -> failed("compacting the work journal", err)));
    return vertx.executeBlocking(() -> {
      Map<String, JsonObject> latest = journal.latest();
      List<JsonObject> held = store.records();
      int restored = putBack(latest, held);
      int learned = journal.learn(held);
      LOG.info("Work queue ready: {} item(s) in this node's journal, {} put back into the mesh, {} learned from peers",
        latest.size(), restored, learned);
      return null;
    }, false);
  }

  /**
   * After this node's side of a split cluster merged into the other side, whose hand-over of the
   * cluster's maps is best effort: puts back every item this node's journal holds that the map now
   * lacks or holds at an older revision. Logs at INFO what it put back.
   */
  public Future<Integer> mend() {
    return vertx.executeBlocking(() -> putBack(journal.latest(), store.records()), false)
      .onSuccess(n -> LOG.info("Work queue after a cluster merge: {} item(s) put back from this node's journal", n))
      .onFailure(err -> failed("this node's journaled work back into the mesh after a merge", err));
  }

  /** Restores each journaled item the map lacks or holds older (one call each, only for those); returns how many. */
  private int putBack(Map<String, JsonObject> latest, List<JsonObject> held) {
    Map<String, Long> revs = new HashMap<>();
    held.forEach(r -> revs.put(r.getString("id"), r.getLong(WorkStore.REV, 0L)));
    long now = System.currentTimeMillis();
    int restored = 0;
    for (JsonObject record : latest.values()) {
      Long rev = revs.get(record.getString("id"));
      if ((rev == null || rev < record.getLong(WorkStore.REV, 0L)) && store.restore(record, retentionMs, now)) {
        restored++;
      }
    }
    return restored;
  }

  /** A peer's change (or this node's own, heard back): journaled in batches, off the event loop. */
  private void hear(JsonObject record) {
    if (record == null || record.getString("id") == null) {
      return;
    }
    heard.add(record);
    if (!writing) {
      writeHeard();
    }
  }

  private void writeHeard() {
    List<JsonObject> batch = List.copyOf(heard);
    heard.clear();
    writing = true;
    vertx.executeBlocking(() -> journal.learn(batch), false).onComplete(ar -> {
      writing = false;
      if (ar.failed()) {
        failed(batch.size() + " heard work change(s) to the journal", ar.cause());
      }
      if (!heard.isEmpty()) {
        writeHeard();
      }
    });
  }

  private void append(JsonObject record, boolean force) {
    try {
      journal.append(record, force);
    } catch (RuntimeException e) {
      failed("work item " + record.getString("id") + " to the journal", e);
    }
  }

  private void failed(String what, Throwable err) {
    failures.increment();
    LOG.warn("Could not write {}: {}", what, err.toString());
  }
}
