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
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The mesh's work items, in a Hazelcast map (two synchronous backups, so the loss of any two nodes
 * loses nothing) of JSON values, which Hazelcast can query by field through the indexes that
 * {@code config/cluster.yaml} gives the map. Every change is a
 * compare-and-set of the whole item, so two nodes can never both claim one item.
 *
 * <p>Every method blocks on the cluster: call them off the event loop.
 */
public final class WorkStore {

  /** The cluster map's name. */
  public static final String MAP = "netflow.work";

  private final IMap<String, HazelcastJsonValue> map;

  public WorkStore(HazelcastInstance hazelcast) {
    this.map = hazelcast.getMap(MAP);
  }

  /** The item, or null. */
  public WorkItem get(String id) {
    HazelcastJsonValue raw = map.get(id);
    return raw == null ? null : decode(raw);
  }

  /** Stores a new item unless one with its id exists; returns the existing one, or null. */
  public WorkItem putIfAbsent(WorkItem item) {
    HazelcastJsonValue prior = map.putIfAbsent(item.id(), encode(item));
    return prior == null ? null : decode(prior);
  }

  /**
   * Changes an item atomically: {@code change} sees its current state and returns the next, or null
   * to leave it as it is. Retried on a concurrent change, so {@code change} may run more than once.
   *
   * @return the item as stored after the change, or null when it is missing or was left alone
   */
  public WorkItem update(String id, UnaryOperator<WorkItem> change) {
    while (true) {
      HazelcastJsonValue raw = map.get(id);
      if (raw == null) {
        return null;
      }
      WorkItem next = change.apply(decode(raw));
      if (next == null) {
        return null;
      }
      if (map.replace(id, raw, encode(next))) {
        return next;
      }
    }
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

  private static HazelcastJsonValue encode(WorkItem item) {
    return new HazelcastJsonValue(item.toJson().encode());
  }

  private static WorkItem decode(HazelcastJsonValue raw) {
    return WorkItem.fromJson(new JsonObject(raw.getValue()));
  }
}
