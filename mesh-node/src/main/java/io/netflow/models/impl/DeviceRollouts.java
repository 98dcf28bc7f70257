package io.netflow.models.impl;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The device rollouts of every model, in a cluster map keyed by model name, changed by
 * compare-and-set so that every node may apply the same event (a new desired version, an admin's
 * pause) and the first one decides. A new version starts its waves; going back to the version
 * devices were keeping (a rollback) aborts them.
 */
public final class DeviceRollouts {

  /** The cluster map's name. */
  public static final String MAP = "netflow.models.device-rollouts";

  private final AsyncMap<String, JsonObject> map;
  /**
   * The latest state this node has read or written of each model's rollout (one per model an
   * admin published: nothing a device sends adds one), put back should a cluster merge drop it.
   */
  private final Map<String, DeviceRollout> seen = new ConcurrentHashMap<>();

  public DeviceRollouts(AsyncMap<String, JsonObject> map) {
    this.map = map;
  }

  /** The rollout of a model, or null when no version of it was ever desired. */
  public Future<DeviceRollout> get(String name) {
    return map.get(name).map(j -> j == null ? null : seen(DeviceRollout.fromJson(j)));
  }

  /**
   * After this node's side of a split cluster merged into the other (whose hand-over of the map's
   * entries is best effort): the rollouts this node has seen go back where the map lacks them or
   * holds an earlier state of them, so that a pause stays a pause and the waves do not start over.
   * A later state, made on the other side, stands.
   *
   * @return how many were put back
   */
  public Future<Integer> putBack() {
    List<Future<Boolean>> puts = new ArrayList<>();
    seen.values().forEach(r -> puts.add(putBack(r)));
    return Future.join(puts).transform(ar -> Future.succeededFuture(
      (int) puts.stream().filter(f -> f.succeeded() && f.result()).count()));
  }

  private Future<Boolean> putBack(DeviceRollout r) {
    return map.get(r.name()).compose(raw -> {
      if (raw == null) {
        return map.putIfAbsent(r.name(), r.toJson()).compose(prior -> prior == null ? Future.succeededFuture(true) : putBack(r));
      }
      if (DeviceRollout.fromJson(raw).rev() >= r.rev()) {
        return Future.succeededFuture(false);
      }
      return map.replaceIfPresent(r.name(), raw, r.toJson()).compose(ok -> ok ? Future.succeededFuture(true) : putBack(r));
    });
  }

  private DeviceRollout seen(DeviceRollout r) {
    seen.merge(r.name(), r, (held, now) -> now.rev() >= held.rev() ? now : held);
    return r;
  }

  /** The mesh now wants {@code version} of {@code name}: waves for a new one, an abort for the previous. */
  public Future<DeviceRollout> desired(String name, String version, long now) {
    return change(name, cur -> {
      if (cur == null) {
        return DeviceRollout.start(name, version, null, now);
      }
      if (cur.version().equals(version)) {
        return cur;
      }
      if (version.equals(cur.previous())) {
        return cur.backToPrevious();
      }
      return DeviceRollout.start(name, version, cur.version(), now);
    });
  }

  public Future<DeviceRollout> pause(String name, long now) {
    return change(name, existing(name, cur -> cur.paused(now)));
  }

  public Future<DeviceRollout> resume(String name, long now) {
    return change(name, existing(name, cur -> cur.resumed(now)));
  }

  /** Devices go back to the version they were keeping, at once; CONFLICT when there is none. */
  public Future<DeviceRollout> abort(String name) {
    return change(name, existing(name, cur -> {
      DeviceRollout back = cur.backToPrevious();
      if (back == null) {
        throw new MeshException(ErrorCode.CONFLICT, "model " + name + " has no previous version to go back to");
      }
      return back;
    }));
  }

  private static UnaryOperator<DeviceRollout> existing(String name, UnaryOperator<DeviceRollout> f) {
    return cur -> {
      if (cur == null) {
        throw new MeshException(ErrorCode.NOT_FOUND, "no device rollout of model " + name);
      }
      return f.apply(cur);
    };
  }

  /** Compare-and-set until it holds; the change sees the current state (null: none). */
  private Future<DeviceRollout> change(String name, UnaryOperator<DeviceRollout> f) {
    return map.get(name).compose(raw -> {
      DeviceRollout cur = raw == null ? null : DeviceRollout.fromJson(raw);
      DeviceRollout next;
      try {
        next = f.apply(cur);
      } catch (MeshException e) {
        return Future.failedFuture(e);
      }
      if (next == null || next.equals(cur)) {
        return Future.succeededFuture(cur == null ? null : seen(cur));
      }
      DeviceRollout changed = next.after(cur);
      Future<Boolean> swapped = raw == null
        ? map.putIfAbsent(name, changed.toJson()).map(prior -> prior == null || prior.equals(changed.toJson()))
        : map.replaceIfPresent(name, raw, changed.toJson());
      return swapped.compose(ok -> ok ? Future.succeededFuture(seen(changed)) : change(name, f));
    });
  }
}
