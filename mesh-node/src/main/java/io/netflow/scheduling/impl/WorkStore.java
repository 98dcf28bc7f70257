package io.netflow.scheduling.impl;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.projection.Projections;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import io.netflow.scheduling.WorkClass;
import io.netflow.scheduling.WorkItem;
import io.netflow.scheduling.WorkState;
import io.vertx.core.json.JsonObject;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The mesh's work items, in a Hazelcast map (two synchronous backups, so the loss of any two nodes
 * loses nothing) of JSON values, which Hazelcast can query by field through the indexes that
 * {@code config/cluster.yaml} gives the map. Each stored record carries its revision ({@link #REV}),
 * one higher with every change.
 *
 * <p>Every change to an item is an entry processor ({@link ChangeItem}, {@code IMap.executeOnKey}):
 * it runs on the item's partition owner, in the partition's one thread, so it sees the item as it is
 * and no other change comes between its read and its write (two nodes can never both claim an item),
 * in one round trip, with nothing to retry under contention. The async API would not do better: a
 * get and a compare-and-replace are still two round trips, retried whenever another node wrote in
 * between. The price is that a {@link Change} travels to the owner: it must be serializable and
 * capture only serializable values (ids, numbers, enums, strings; a result as JSON text). Every
 * member runs the same jar, so the change's class is there. The owner sends its backups the record
 * it stored, not the change. The caller still hears of the outcome: the {@link Listener} is told
 * on the caller's thread, and a change that refuses by throwing throws there.
 *
 * <p>Every method blocks on the cluster: call them off the event loop.
 */
public final class WorkStore {

  /** The cluster map's name. */
  public static final String MAP = "netflow.work";

  /** Told of every change that matters for durability (not a lease renewal), with the record as stored. */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param record the item's JSON as stored, with its revision ({@code rev})
     * @param item   the item after the change
     * @param isNew  whether the change created the item (a submission)
     */
    void changed(JsonObject record, WorkItem item, boolean isNew);
  }

  /**
   * A change to one item: given the item as stored, the next item, or null to leave it alone; it may
   * refuse by throwing. It runs where the item is kept, so it is serializable: write it as a lambda
   * that captures only serializable values (never {@code this} of a class that is not), and keep
   * it quick and pure, for it runs in a partition thread.
   */
  @FunctionalInterface
  public interface Change extends UnaryOperator<WorkItem>, Serializable {
  }

  /** The field of a stored record that counts its changes: a later state of an item has a higher one. */
  public static final String REV = "rev";

  private final IMap<String, HazelcastJsonValue> map;
  private volatile Listener listener = (record, item, isNew) -> { };

  public WorkStore(HazelcastInstance hazelcast) {
    this.map = hazelcast.getMap(MAP);
  }

  /** Sets who hears of every change (the journal). */
  public void listen(Listener listener) {
    this.listener = listener;
  }

  /** The item, or null. */
  public WorkItem get(String id) {
    HazelcastJsonValue raw = map.get(id);
    return raw == null ? null : decode(raw);
  }

  /**
   * Stores a new item unless one with its id exists; returns the existing one, or null when this
   * call stored it.
   *
   * <p>Hazelcast retries an operation whose target left or whose partition moved while it ran
   * (a node killed mid-submission), and the retry of a write that had already landed finds that
   * very write. So an existing item that is this submission (same submitter, instant, kind and
   * payload; it may since have been claimed) counts as stored by this call: the submitter hears
   * "created", not "already there", and the journal hears of it.
   */
  public WorkItem putIfAbsent(WorkItem item) {
    JsonObject record = encode(item, 1);
    HazelcastJsonValue prior = map.putIfAbsent(item.id(), new HazelcastJsonValue(record.encode()));
    if (prior != null) {
      WorkItem existing = decode(prior);
      if (!sameSubmission(existing, item)) {
        return existing;
      }
    }
    listener.changed(record, item, true);
    return null;
  }

  private static boolean sameSubmission(WorkItem stored, WorkItem submitted) {
    return stored.submittedAt() == submitted.submittedAt()
      && Objects.equals(stored.submittedBy(), submitted.submittedBy())
      && stored.kind().equals(submitted.kind())
      && Objects.equals(stored.payload(), submitted.payload());
  }

  /**
   * Changes an item atomically where it is kept: {@code change} sees its current state and returns
   * the next, or null to leave it as it is; it runs once, on the item's partition owner. An
   * exception it throws is thrown here.
   *
   * @return the item as stored after the change, or null when it is missing or was left alone
   */
  public WorkItem update(String id, Change change) {
    ChangeItem.Outcome outcome = map.executeOnKey(id, new ChangeItem(change));
    if (outcome == null) {
      return null;
    }
    if (outcome.refused() != null) {
      throw outcome.refused();
    }
    JsonObject record = new JsonObject(outcome.record());
    WorkItem next = WorkItem.fromJson(record);
    if (outcome.matters()) {
      listener.changed(record, next, false);
    }
    return next;
  }

  /**
   * Puts back a journaled record after a restart of the mesh: stored when the item is missing or
   * held at an older revision, left alone otherwise (replays from several nodes' journals merge).
   * A finished item comes back only for what remains of its retention.
   *
   * @return whether the record was stored
   */
  public boolean restore(JsonObject record, long retentionMs, long now) {
    WorkItem item = WorkItem.fromJson(record);
    long keepMs = item.state().finished() ? item.finishedAt() + retentionMs - now : 0;
    if (item.state().finished() && keepMs <= 0) {
      return false;
    }
    return map.executeOnKey(item.id(), new RestoreItem(record, keepMs));
  }

  /** Every stored record (at start, to journal what this node lacks). */
  public List<JsonObject> records() {
    List<JsonObject> out = new ArrayList<>();
    for (HazelcastJsonValue v : map.values()) {
      out.add(new JsonObject(v.getValue()));
    }
    return out;
  }

  /** Lets a finished item go after {@code ms}. */
  public void expireAfter(String id, long ms) {
    map.setTtl(id, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Queued items of the given kinds, BULK among them only when due before {@code bulkDueBefore}
   * ({@code Long.MAX_VALUE}: all of it). One query per class, each served by the (state, class,
   * deadline) index, so while the mesh is busy and BULK waits, however long its backlog grows, a
   * poll neither reads nor decodes it.
   */
  public List<WorkItem> queued(Collection<String> kinds, long bulkDueBefore) {
    if (kinds.isEmpty()) {
      return List.of();
    }
    Predicate<String, HazelcastJsonValue> ofKinds = Predicates.in("kind", kinds.toArray(new String[0]));
    List<WorkItem> out = new ArrayList<>();
    for (WorkClass c : WorkClass.values()) {
      Predicate<String, HazelcastJsonValue> inClass = Predicates.and(Predicates.equal("state", WorkState.QUEUED.name()),
        Predicates.equal("class", c.name()));
      if (c == WorkClass.BULK && bulkDueBefore != Long.MAX_VALUE) {
        inClass = Predicates.and(inClass, Predicates.lessThan("deadline", bulkDueBefore));
      }
      out.addAll(query(Predicates.and(inClass, ofKinds)));
    }
    return out;
  }

  /** Running items whose lease ran out before {@code now}: their node died or hung. */
  public List<WorkItem> lapsed(long now) {
    return query(Predicates.and(Predicates.equal("state", WorkState.RUNNING.name()),
      Predicates.lessThan("leaseUntil", now)));
  }

  /** Running items claimed by {@code nodeId}. */
  public List<WorkItem> ownedBy(String nodeId) {
    return query(Predicates.and(Predicates.equal("state", WorkState.RUNNING.name()),
      Predicates.equal("owner", nodeId)));
  }

  /**
   * Whether at least {@code limit} items are unfinished, mesh-wide. The unfinished ones are counted
   * only when the map holds that many (its size, finished items included, is an upper bound that
   * Hazelcast keeps per partition, read without touching an entry): a submission does not pay for a
   * count that grows with the backlog.
   */
  public boolean unfinishedAtLeast(long limit) {
    return map.size() >= limit && unfinished() >= limit;
  }

  private long unfinished() {
    return map.aggregate(Aggregators.count(), Predicates.in("state", WorkState.QUEUED.name(), WorkState.RUNNING.name()));
  }

  /** Unfinished items by state and class: {@code {"QUEUED": {"REALTIME": n, ..}, "RUNNING": {..}}}. */
  public JsonObject backlog() {
    JsonObject counts = new JsonObject();
    for (WorkState state : List.of(WorkState.QUEUED, WorkState.RUNNING)) {
      JsonObject byClass = new JsonObject();
      for (WorkClass c : WorkClass.values()) {
        byClass.put(c.name(), 0);
      }
      counts.put(state.name(), byClass);
    }
    for (Object[] row : map.project(Projections.multiAttribute("state", "class"),
      Predicates.in("state", WorkState.QUEUED.name(), WorkState.RUNNING.name()))) {
      JsonObject byClass = counts.getJsonObject(String.valueOf(row[0]));
      if (byClass != null && byClass.containsKey(String.valueOf(row[1]))) {
        byClass.put(String.valueOf(row[1]), byClass.getInteger(String.valueOf(row[1])) + 1);
      }
    }
    return counts;
  }

  private List<WorkItem> query(Predicate<String, HazelcastJsonValue> predicate) {
    List<WorkItem> items = new ArrayList<>();
    for (HazelcastJsonValue v : map.values(predicate)) {
      items.add(decode(v));
    }
    return items;
  }

  /** The record stored for {@code item} at revision {@code rev}. */
  static JsonObject encode(WorkItem item, long rev) {
    return item.toJson().put(REV, rev);
  }

  private static WorkItem decode(HazelcastJsonValue raw) {
    return WorkItem.fromJson(new JsonObject(raw.getValue()));
  }
}
