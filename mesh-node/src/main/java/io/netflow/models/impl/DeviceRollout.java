package io.netflow.models.impl;

import io.vertx.core.json.JsonObject;

/**
 * Where the rollout of a model to devices stands, mesh-wide: the version devices move to, the one
 * they keep until their wave opens, when the waves started, whether an admin paused them (the wave
 * clock stops), and whether the rollout was aborted (a rollback: every device is told {@code version},
 * which is then the previous one, at once).
 *
 * @param previous  the version devices keep until their wave opens; null for a first version
 * @param startedAt epoch millis when the first wave opened
 * @param pausedAt  epoch millis when paused; 0 while running
 * @param pausedMs  milliseconds spent paused before, not counted towards the waves
 * @param rev       how many changes the model's device rollouts have seen (each one is +1): of two
 *                  copies, the higher is the later
 */
public record DeviceRollout(String name, String version, String previous, long startedAt, long pausedAt, long pausedMs,
                            boolean aborted, long rev) {

  /** A rollout of {@code version} opening now, devices keeping {@code previous} until their wave. */
  public static DeviceRollout start(String name, String version, String previous, long now) {
    return new DeviceRollout(name, version, previous, now, 0, 0, false, 0);
  }

  /** Back to the previous version for every device, at once. Null when there is none. */
  public DeviceRollout backToPrevious() {
    return previous == null ? null : new DeviceRollout(name, previous, null, startedAt, 0, 0, true, rev);
  }

  public DeviceRollout paused(long now) {
    return pausedAt > 0 || aborted ? this : new DeviceRollout(name, version, previous, startedAt, now, pausedMs, false, rev);
  }

  public DeviceRollout resumed(long now) {
    return pausedAt == 0 ? this
      : new DeviceRollout(name, version, previous, startedAt, 0, pausedMs + (now - pausedAt), aborted, rev);
  }

  /** This state as the change after {@code before} (null: the first): one revision later. */
  public DeviceRollout after(DeviceRollout before) {
    return new DeviceRollout(name, version, previous, startedAt, pausedAt, pausedMs, aborted,
      before == null ? 0 : before.rev + 1);
  }

  public boolean paused() {
    return pausedAt > 0;
  }

  /** How far into its waves the rollout is at {@code now}: time paused does not count. */
  public long elapsed(long now) {
    return Math.max(0, (pausedAt > 0 ? pausedAt : now) - startedAt - pausedMs);
  }

  /** What devices are told when it changes: {@code {"version", "previous", "state"}} (waves, paused or aborted). */
  public JsonObject change() {
    return new JsonObject().put("version", version).put("previous", previous)
      .put("state", aborted ? "aborted" : paused() ? "paused" : "waves");
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("version", version).put("previous", previous)
      .put("startedAt", startedAt).put("pausedAt", pausedAt).put("pausedMs", pausedMs).put("aborted", aborted)
      .put("rev", rev);
  }

  public static DeviceRollout fromJson(JsonObject j) {
    return new DeviceRollout(j.getString("name"), j.getString("version"), j.getString("previous"),
      j.getLong("startedAt", 0L), j.getLong("pausedAt", 0L), j.getLong("pausedMs", 0L), j.getBoolean("aborted", false),
      j.getLong("rev", 0L));
  }
}
