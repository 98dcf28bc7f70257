package io.netflow.node;

import io.netflow.console.ConsoleFeed;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.membership.MeshLoad;
import io.netflow.membership.MeshView;
import io.netflow.models.DeviceDelivery;
import io.netflow.models.ModelAddresses;
import io.netflow.models.ModelVerticle;
import io.netflow.rewards.RewardsVerticle;
import io.netflow.scheduling.SchedulerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntSupplier;

/**
 * What this node tells the console: one snapshot of the mesh, rebuilt at most once per interval
 * however many browsers watch, and a feed of recent events found by comparing snapshots (a node
 * joined, left, started draining, turned overloaded, shed BULK, this node rerouted requests) or
 * heard on the bus (a model version activated here).
 */
final class ConsoleState implements ConsoleFeed {

  /** Events kept for the feed. */
  static final int EVENTS = 50;

  private final Vertx vertx;
  private final MeshView view;
  private final MeshLoad load;
  private final ModelVerticle models;
  private final DeviceDelivery devices;
  private final SchedulerVerticle scheduler;
  private final RewardsVerticle rewards;
  private final IntSupplier clusterSize;
  private final long maxAgeMs;
  private final Deque<JsonObject> events = new ArrayDeque<>();
  private final Map<String, JsonObject> known = new HashMap<>();
  private final io.micrometer.core.instrument.MeterRegistry registry;
  private double rerouted;
  private Future<JsonObject> last;
  private long lastAt;

  ConsoleState(Vertx vertx, MeshView view, MeshLoad load, ModelVerticle models, DeviceDelivery devices,
               SchedulerVerticle scheduler, RewardsVerticle rewards, IntSupplier clusterSize,
               io.micrometer.core.instrument.MeterRegistry registry, long maxAgeMs) {
    this.registry = registry;
    this.vertx = vertx;
    this.view = view;
    this.load = load;
    this.models = models;
    this.devices = devices;
    this.scheduler = scheduler;
    this.rewards = rewards;
    this.clusterSize = clusterSize;
    this.maxAgeMs = maxAgeMs;
    vertx.eventBus().<JsonObject>localConsumer(ModelAddresses.MODEL_ACTIVATED, m -> event("model",
      "model " + m.body().getString("name") + " " + m.body().getString("version") + " activated on this node"));
  }

  @Override
  public synchronized Future<JsonObject> snapshot() {
    long now = System.currentTimeMillis();
    if (last != null && now - lastAt < maxAgeMs) {
      return last;
    }
    lastAt = now;
    JsonObject mesh = view.toJson(clusterSize.getAsInt());
    diff(mesh.getJsonArray("nodes"));
    reroutes();
    Future<JsonObject> modelList = models.list().compose(this::withDevices)
      .otherwise(new JsonObject().put("models", new JsonArray()));
    Future<JsonObject> work = scheduler.backlog().otherwise(new JsonObject());
    // The page says why it has no schedule (rewards starting, a lookup failed) rather than an empty chart.
    Future<JsonObject> schedule = rewards.schedule()
      .otherwise(err -> new JsonObject().put("unavailable", MeshException.of(err).getMessage()));
    last = Future.join(modelList, work, schedule).transform(ar -> Future.succeededFuture(mesh
      .put("at", now)
      .put("meshLoad", Math.round(load.rate() * 10) / 10.0)
      .put("models", modelList.result() == null ? new JsonArray() : modelList.result().getJsonArray("models"))
      .put("work", work.result())
      .put("rewards", schedule.result())
      .put("events", events())));
    return last;
  }

  /**
   * Adds to each version how many devices run it and, for the version devices are moving to, how
   * far its waves are open. A model whose counts cannot be read now is shown without them.
   */
  private Future<JsonObject> withDevices(JsonObject list) {
    JsonArray all = list.getJsonArray("models", new JsonArray());
    Set<String> names = new TreeSet<>();
    all.forEach(m -> names.add(((JsonObject) m).getString("name")));
    Map<String, Future<JsonObject>> counts = new HashMap<>();
    names.forEach(n -> counts.put(n, devices.devices(n).otherwise((JsonObject) null)));
    return Future.join(new ArrayList<>(counts.values())).transform(ar -> {
      for (Object o : all) {
        JsonObject m = (JsonObject) o;
        JsonObject c = counts.get(m.getString("name")).result();
        if (c == null) {
          continue;
        }
        m.put("devices", c.getJsonObject("devices", new JsonObject()).getLong(m.getString("version"), 0L));
        JsonObject rollout = c.getJsonObject("rollout");
        if (rollout != null && m.getString("version").equals(rollout.getString("version"))) {
          m.put("deviceWaves", rollout);
        }
      }
      return Future.succeededFuture(list);
    });
  }

  private synchronized JsonArray events() {
    return new JsonArray(new ArrayList<>(events));
  }

  private synchronized void event(String kind, String text) {
    events.addFirst(new JsonObject().put("at", System.currentTimeMillis()).put("kind", kind).put("text", text));
    while (events.size() > EVENTS) {
      events.removeLast();
    }
  }

  /** Requests this node sent on to another node after one failed, since the last snapshot. */
  private void reroutes() {
    double total = registry.find("netflow.routing.rerouted").counters().stream().mapToDouble(c -> c.count()).sum();
    if (total > rerouted) {
      event("rerouted", "this node rerouted " + Math.round(total - rerouted) + " request(s) after a node failed to answer");
    }
    rerouted = total;
  }

  /** Compares the nodes with the last snapshot's. */
  private void diff(JsonArray nodes) {
    Map<String, JsonObject> now = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      JsonObject n = nodes.getJsonObject(i);
      now.put(n.getString("nodeId"), n);
    }
    if (known.isEmpty() && events.isEmpty()) {
      now.values().forEach(n -> event("joined", n.getString("name") + " is in the mesh"));
    } else {
      for (JsonObject n : now.values()) {
        JsonObject before = known.get(n.getString("nodeId"));
        String name = n.getString("name");
        if (before == null) {
          event("joined", name + " joined");
          continue;
        }
        String state = n.getString("state");
        if (!state.equals(before.getString("state"))) {
          event(state.toLowerCase(), name + " is " + state);
        }
        long shed = shed(n) - shed(before);
        if (shed > 0) {
          event("shed", name + " shed " + shed + " BULK message(s)");
        }
      }
      for (JsonObject gone : known.values()) {
        if (!now.containsKey(gone.getString("nodeId"))) {
          event("left", gone.getString("name") + " left");
        }
      }
    }
    known.clear();
    known.putAll(now);
  }

  private static long shed(JsonObject node) {
    JsonObject bulk = node.getJsonObject("traffic", new JsonObject()).getJsonObject("lanes", new JsonObject())
      .getJsonObject("BULK", new JsonObject());
    return bulk.getNumber("shed", 0).longValue();
  }
}
