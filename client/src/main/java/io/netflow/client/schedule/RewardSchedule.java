package io.netflow.client.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The reward multipliers the mesh published ({@code GET /v1/rewards/schedule}): by window number
 * ({@code epochMillis / windowMs}), for the windows planned so far. A published multiplier never
 * changes.
 *
 * @param periodMs the cycle the mesh's load repeats over (a day): the pay of a window not yet
 *                 published is forecast from the same window a cycle before
 */
public record RewardSchedule(long windowMs, long periodMs, double minMultiplier, double maxMultiplier,
                             NavigableMap<Long, Double> multipliers) {

  private static final long DAY_MS = 86_400_000L;

  public RewardSchedule {
    if (windowMs < 1 || periodMs < windowMs) {
      throw new IllegalArgumentException("windowMs must be positive and periodMs at least windowMs");
    }
    multipliers = Collections.unmodifiableNavigableMap(new TreeMap<>(multipliers));
  }

  public static RewardSchedule fromJson(JsonNode json) {
    NavigableMap<Long, Double> m = new TreeMap<>();
    json.path("windows").forEach(w -> m.put(w.path("window").asLong(), w.path("multiplier").asDouble()));
    long windowMs = json.path("windowMs").asLong(900_000);
    return new RewardSchedule(windowMs, json.path("periodMs").asLong(Math.max(windowMs, DAY_MS)),
      json.path("minMultiplier").asDouble(1), json.path("maxMultiplier").asDouble(1), m);
  }

  /** The same pay in every window: what the scheduler does with no reward signal at all. */
  public static RewardSchedule flat(long windowMs, long periodMs, double multiplier) {
    return new RewardSchedule(windowMs, periodMs, multiplier, multiplier, new TreeMap<>());
  }

  public int windowsPerPeriod() {
    return (int) Math.max(1, periodMs / windowMs);
  }
}
