package io.netflow.models;

import com.hazelcast.cardinality.CardinalityEstimator;
import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.lanes.LaneStats;
import io.netflow.membership.MeshView;
import io.netflow.models.impl.DeviceEgress;
import io.netflow.models.impl.DeviceRollout;
import io.netflow.models.impl.DeviceRollouts;
import io.netflow.models.impl.DeviceSources;
import io.netflow.models.impl.Waves;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model versions reach devices (Micro Nodes, outside the cluster): which version each device should
 * run now (its wave, {@link Waves}), which nodes it may download that version from
 * ({@link DeviceSources}), at what rate this node serves it ({@link DeviceEgress}), and how many
 * devices run each version (Hazelcast's {@link CardinalityEstimator}, one per version). Follows the
 * model verticle's events: a newly desired version starts its device waves, a rollback aborts them.
 */
public final class DeviceDelivery extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DeviceDelivery.class);
  private static final long ADJUST_MS = 200;

  /** What {@code /active} tells a device: the version to run, its signed manifest, where to get it, when to ask again. */
  public record Advice(String name, String version, JsonObject manifest, List<DeviceSources.Source> sources,
                       long retryAfterMs, boolean waiting) {
  }

  private final DeviceOptions options;
  private final ModelStore store;
  private final MeshView view;
  private final HazelcastInstance hazelcast;
  private final DeviceEgress egress;
  private final Waves waves;
  private final DeviceSources sources;
  private final Map<String, CardinalityEstimator> estimators = new ConcurrentHashMap<>();
  private AsyncMap<String, JsonObject> manifests;
  private DeviceRollouts rollouts;

  public DeviceDelivery(DeviceOptions options, ModelOptions models, ModelStore store, MeshView view, String region,
                        HazelcastInstance hazelcast, LaneStats lanes, MeterRegistry registry) {
    this.options = new DeviceOptions(options);
    this.store = store;
    this.view = view;
    this.hazelcast = hazelcast;
    this.waves = options.waves();
    this.sources = new DeviceSources(view, region);
    this.egress = new DeviceEgress(options.getEgressBytesPerSecond(), options.getRangeBytes(),
      models.getMinBytesPerSecond(), models.getCriticalLatencyTargetMicros(), lanes);
    FunctionCounter.builder("netflow.model.device.bytes", egress, DeviceEgress::served)
      .description("Bytes of model files served to devices").register(registry);
  }

  @Override
  public Future<?> start() {
    var eb = vertx.eventBus();
    eb.<JsonObject>consumer(ModelAddresses.MODEL_HOLDINGS, m -> sources.holdings(m.body()));
    eb.<JsonObject>consumer(ModelAddresses.MODEL_DESIRED, m -> desired(m.body()));
    eb.<JsonObject>consumer(ModelAddresses.MODEL_DEVICES_CHANGED, m -> tellFollowers(m.body().getString("name"), m.body()));
    view.onRemoved(sources::nodeLeft);
    view.onMerged(() -> context.runOnContext(v -> {
      if (rollouts != null) {
        rollouts.putBack().onSuccess(n -> LOG.info("Device rollouts after a cluster merge: {} put back", n));
      }
    }));
    vertx.setPeriodic(ADJUST_MS, t -> egress.adjust());
    return vertx.sharedData().<String, JsonObject>getAsyncMap(ModelVerticle.MANIFESTS)
      .compose(m -> {
        manifests = m;
        return vertx.sharedData().<String, JsonObject>getAsyncMap(DeviceRollouts.MAP);
      })
      .compose(m -> {
        rollouts = new DeviceRollouts(m);
        return vertx.sharedData().<String, JsonObject>getAsyncMap(ModelVerticle.HOLDINGS);
      })
      .compose(held -> held.entries())
      .onSuccess(held -> held.values().forEach(sources::holdings))
      .compose(v -> vertx.sharedData().<String, JsonObject>getAsyncMap(ModelVerticle.DESIRED))
      .compose(d -> d.entries())
      // A version desired before this node started: its rollout exists already, or starts now.
      .onSuccess(want -> want.values().forEach(this::desired));
  }

  @Override
  public Future<?> stop() {
    egress.close();
    return Future.succeededFuture();
  }

  /** The mesh wants a version of a model: its device waves start, or (a rollback) they are aborted. */
  private void desired(JsonObject want) {
    String name = want == null ? null : want.getString("name");
    String version = want == null ? null : want.getString("version");
    if (name == null || version == null) {
      return;
    }
    rollouts.desired(name, version, System.currentTimeMillis())
      .onSuccess(r -> tellFollowers(name, r.change()))
      .onFailure(err -> LOG.warn("Could not record the device rollout of {}/{}: {}", name, version, err.toString()));
  }

  /** Tells this node's WebSocket clients that follow {@code name} what devices should run of it now. */
  private void tellFollowers(String name, JsonObject change) {
    if (name != null) {
      vertx.eventBus().publish(Addresses.deviceModelFeed(name), change.copy().put("name", name),
        new DeliveryOptions().setLocalOnly(true));
    }
  }

  /** What device {@code deviceId} (running {@code running}, or null) should run of {@code name}. */
  public Future<Advice> advise(String name, String deviceId, String running) {
    if (running != null) {
      count(name, running, deviceId);
    }
    return rollouts.get(name).compose(r -> {
      if (r == null) {
        return Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "no version of model " + name + " is out"));
      }
      long now = System.currentTimeMillis();
      boolean admitted = r.aborted() || waves.admits(deviceId, r.version(), r.elapsed(now));
      String version = admitted ? r.version() : r.previous();
      long retry = admitted ? 0 : r.paused() ? options.getWaveMs() : waves.untilOpen(deviceId, r.version(), r.elapsed(now));
      if (version == null) {
        return Future.succeededFuture(new Advice(name, null, null, List.of(), Math.max(1_000, retry), true));
      }
      String id = name + "/" + version;
      List<DeviceSources.Source> from = sources.rank(id, options.getSources(), deviceId);
      return manifests.get(id).map(m -> new Advice(name, version, m, from,
        from.isEmpty() ? Math.max(1_000, retry) : retry, !admitted));
    });
  }

  /** How many devices reported running each version of {@code name} (a cardinality estimate). */
  public Future<JsonObject> devices(String name) {
    return manifests.keys().compose(ids -> vertx.executeBlocking(() -> {
      JsonObject versions = new JsonObject();
      for (String id : ids) {
        if (id.startsWith(name + "/")) {
          versions.put(id.substring(name.length() + 1), estimator(id).estimate());
        }
      }
      return versions;
    }, false)).compose(versions -> rollouts.get(name).map(r -> new JsonObject().put("model", name)
      .put("rollout", r == null ? null : r.toJson().put("openPercent", r.aborted() ? 100
        : waves.openPercent(r.elapsed(System.currentTimeMillis()))))
      .put("devices", versions)));
  }

  /** Pauses, resumes or aborts the device waves of {@code name} ({@code action}: pause, resume, abort). */
  public Future<JsonObject> admin(String name, String action) {
    long now = System.currentTimeMillis();
    Future<DeviceRollout> done = switch (action) {
      case "pause" -> rollouts.pause(name, now);
      case "resume" -> rollouts.resume(name, now);
      case "abort" -> rollouts.abort(name);
      default -> Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "no device action '" + action
        + "' (pause, resume, abort)"));
    };
    return done.map(r -> {
      LOG.info("Device rollout of {}: {} ({})", name, action, r.version());
      vertx.eventBus().publish(ModelAddresses.MODEL_DEVICES_CHANGED, r.change().put("name", name));
      return r.toJson();
    });
  }

  /** The file of {@code id} on this node's disk, when this node holds it verified; else null. */
  public Future<Held> held(String id) {
    return manifests.get(id).map(m -> {
      if (m == null) {
        throw new MeshException(ErrorCode.NOT_FOUND, "no model " + id);
      }
      ModelManifest manifest = ModelManifest.fromJson(m);
      boolean here = sources.holds(view.selfId(), id);
      return new Held(manifest, here ? store.file(manifest) : null, sources.rank(id, options.getSources()));
    });
  }

  /** A version as this node can serve it: its manifest, its file here (null: not held here), its holders. */
  public record Held(ModelManifest manifest, Path file, List<DeviceSources.Source> holders) {
  }

  /** This node's device-download budget. */
  public DeviceEgress egress() {
    return egress;
  }

  /** The longest a range waits for its bytes of the budget ({@code models.device-queue-ms}). */
  long queueMs() {
    return options.getQueueMs();
  }

  public DeviceOptions options() {
    return options;
  }

  /** This node's id. */
  public String selfId() {
    return view.selfId();
  }

  private void count(String name, String version, String deviceId) {
    String id = name + "/" + version;
    // A proxy's first lookup asks the cluster: off the event loop.
    vertx.executeBlocking(() -> estimator(id).addAsync(deviceId), false)
      .onFailure(err -> LOG.debug("Could not count device {} on {}: {}", deviceId, id, err.toString()));
  }

  private CardinalityEstimator estimator(String id) {
    return estimators.computeIfAbsent(id, k -> hazelcast.getCardinalityEstimator("netflow.models.devices." + k));
  }

  /** The figures the load report carries: the budget allowed now and the rate served. */
  public double[] load() {
    return new double[] {egress.allowed(), egress.recentRate()};
  }
}
