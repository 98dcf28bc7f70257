package io.netflow.rewards.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.netflow.rewards.RewardPlanner;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;

/**
 * The mesh's load history (mean interactive requests per second of each past window) and its
 * published reward multipliers (by window), in two cluster maps. A window's multiplier is set
 * once, by whichever node plans it first ({@code putIfAbsent}), so every node pays the same and
 * a Micro Node can trust the schedule it read. Blocking: call off the event loop.
 */
public final class Schedule {

  public static final String LOAD = "netflow.rewards.load";
  public static final String MULTIPLIERS = "netflow.rewards.schedule";

  private final IMap<Long, Double> load;
  private final IMap<Long, Double> multipliers;
  private final long historyTtlMs;
  /**
   * The published multipliers this node has read or set, of windows from the one it last planned
   * from on (a horizon's worth): what it puts back should a cluster merge drop them ({@link #putBack}).
   */
  private final ConcurrentSkipListMap<Long, Double> seen = new ConcurrentSkipListMap<>();
  /** The load this node recorded into the history, until it expires there: put back after a merge too. */
  private final ConcurrentSkipListMap<Long, Recorded> recorded = new ConcurrentSkipListMap<>();
  /** The most windows the history holds (its time to live over a window). */
  private final long maxRecorded;

  private record Recorded(double mean, long expiresAtMillis) {
  }

  /**
   * @param historyTtlMs how long the load history and the multipliers are kept
   * @param windowMs     a window's length: the history holds at most {@code historyTtlMs / windowMs} windows
   */
  public Schedule(HazelcastInstance hazelcast, long historyTtlMs, long windowMs) {
    this.load = hazelcast.getMap(LOAD);
    this.multipliers = hazelcast.getMap(MULTIPLIERS);
    this.historyTtlMs = historyTtlMs;
    this.maxRecorded = Math.max(1, historyTtlMs / windowMs) + 1;
  }

  /** Records the mean load of a finished window (every node measures the same mesh; the last write stands). */
  public void recordLoad(long window, double mean) {
    load.set(window, mean, historyTtlMs, TimeUnit.MILLISECONDS);
    recorded.put(window, new Recorded(mean, System.currentTimeMillis() + historyTtlMs));
    recorded.headMap(window - maxRecorded).clear();
  }

  public NavigableMap<Long, Double> history() {
    return new TreeMap<>(load);
  }

  /**
   * Plans windows {@code from .. from + count - 1} that have no multiplier yet.
   *
   * @return the windows this call set
   */
  public Map<Long, Double> plan(RewardPlanner planner, long from, int count) {
    Map<Long, Double> mine = new TreeMap<>();
    seen.headMap(from).clear();
    Map<Long, Double> held = multipliers.getAll(windows(from, count));
    seen.putAll(held);
    if (held.size() == count) {
      return mine;
    }
    double[] plan = planner.plan(history(), from, count);
    for (int i = 0; i < count; i++) {
      Double prior = multipliers.putIfAbsent(from + i, plan[i], historyTtlMs, TimeUnit.MILLISECONDS);
      if (prior == null) {
        mine.put(from + i, plan[i]);
      }
      seen.put(from + i, prior == null ? plan[i] : prior);
    }
    return mine;
  }

  /**
   * After this node's side of a split cluster merged into the other: puts back what the cluster's
   * maps no longer hold (the merge hands entries over at best effort) of the multipliers it has
   * seen, from window {@code from} on, and of the load it recorded. Without this, a dropped window
   * would be planned again, perhaps at another multiplier than the one Micro Nodes read and
   * scheduled their contributions by, and from a history with holes.
   *
   * @return the published windows put back
   */
  public int putBack(long from) {
    int n = 0;
    for (Map.Entry<Long, Double> e : seen.tailMap(from).entrySet()) {
      if (multipliers.putIfAbsent(e.getKey(), e.getValue(), historyTtlMs, TimeUnit.MILLISECONDS) == null) {
        n++;
      }
    }
    long now = System.currentTimeMillis();
    recorded.forEach((window, r) -> {
      if (r.expiresAtMillis() > now) {
        load.putIfAbsent(window, r.mean(), r.expiresAtMillis() - now, TimeUnit.MILLISECONDS);
      }
    });
    return n;
  }

  /** The multiplier of window {@code w}, planning it (and its horizon) first if nobody has. */
  public double multiplier(RewardPlanner planner, long w, int horizon) {
    Double m = multipliers.get(w);
    if (m != null) {
      seen.put(w, m);
      return m;
    }
    plan(planner, w, horizon);
    return multipliers.get(w);
  }

  /** Published multipliers of windows {@code from .. from + count - 1} (absent ones left out). */
  public Map<Long, Double> published(long from, int count) {
    Map<Long, Double> held = new TreeMap<>(multipliers.getAll(windows(from, count)));
    seen.putAll(held);
    return held;
  }

  private static java.util.Set<Long> windows(long from, int count) {
    java.util.Set<Long> keys = new java.util.HashSet<>();
    for (long w = from; w < from + count; w++) {
      keys.add(w);
    }
    return keys;
  }
}
