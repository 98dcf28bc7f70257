package io.netflow.rewards.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.netflow.rewards.RewardPlanner;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
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

  public Schedule(HazelcastInstance hazelcast, long historyTtlMs) {
    this.load = hazelcast.getMap(LOAD);
    this.multipliers = hazelcast.getMap(MULTIPLIERS);
    this.historyTtlMs = historyTtlMs;
  }

  /** Records the mean load of a finished window (every node measures the same mesh; the last write stands). */
  public void recordLoad(long window, double mean) {
    load.set(window, mean, historyTtlMs, TimeUnit.MILLISECONDS);
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
    if (multipliers.getAll(windows(from, count)).size() == count) {
      return mine;
    }
    double[] plan = planner.plan(history(), from, count);
    for (int i = 0; i < count; i++) {
      if (multipliers.putIfAbsent(from + i, plan[i], historyTtlMs, TimeUnit.MILLISECONDS) == null) {
        mine.put(from + i, plan[i]);
      }
    }
    return mine;
  }

  /** The multiplier of window {@code w}, planning it (and its horizon) first if nobody has. */
  public double multiplier(RewardPlanner planner, long w, int horizon) {
    Double m = multipliers.get(w);
    if (m != null) {
      return m;
    }
    plan(planner, w, horizon);
    return multipliers.get(w);
  }

  /** Published multipliers of windows {@code from .. from + count - 1} (absent ones left out). */
  public Map<Long, Double> published(long from, int count) {
    return new TreeMap<>(multipliers.getAll(windows(from, count)));
  }

  private static java.util.Set<Long> windows(long from, int count) {
    java.util.Set<Long> keys = new java.util.HashSet<>();
    for (long w = from; w < from + count; w++) {
      keys.add(w);
    }
    return keys;
  }
}
