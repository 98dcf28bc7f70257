package io.netflow.models;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.lanes.LaneStats;
import io.netflow.membership.MeshView;
import io.netflow.mesh.Contexts;
import io.netflow.mesh.Mesh;
import io.netflow.models.impl.Activation;
import io.netflow.models.impl.ChunkFetcher;
import io.netflow.models.impl.ChunkServer;
import io.netflow.models.impl.Holdings;
import io.netflow.models.impl.ModelBandwidth;
import io.netflow.models.impl.Rollout;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads model versions over the mesh. A version published on any node is announced with its
 * signed manifest; every node checks the signature, then fetches the chunks it lacks in parallel
 * from every peer that holds them (rarest first, a few at a time per peer), verifies each chunk's
 * hash, and serves what it holds to the others, so the origin uploads each chunk about once. A
 * version becomes active only when whole and verified, by an atomic switch; applications are told
 * on {@link ModelAddresses#MODEL_ACTIVATED}. A node that restarts resumes from the chunks on its disk.
 *
 * <p>This class starts the parts, answers the API and routes what the mesh says to them; each
 * concern is a part in {@code impl}: {@link Holdings} (who holds what, and announcing this node's
 * holdings), {@link ChunkFetcher} (the fetch pump, per-chunk and whole-file verification),
 * {@link ChunkServer} (serving chunks to peers), {@link Activation} (which version runs here),
 * {@link ModelBandwidth} (upload and download budgets) and {@link Rollout} (one version's transfer).
 * All but the chunk server run on this verticle's event loop.
 */
public class ModelVerticle extends VerticleBase {

  /** Cluster map: {@code name/version} to manifest. */
  public static final String MANIFESTS = "netflow.model-manifests";
  /** Cluster map: model name to {@code {"version", "previous"}}, the version every node should run. */
  public static final String DESIRED = "netflow.model-desired";
  /** Cluster map: {@code name/version@node} to that node's holdings and state, with a TTL. */
  public static final String HOLDINGS = "netflow.model-holdings";
  /** The service every node hosts to hand out chunks. */
  public static final String CHUNK_SERVICE = "netflow.model-chunks";

  private static final Logger LOG = LoggerFactory.getLogger(ModelVerticle.class);

  private final ModelOptions options;
  private final ModelStore store;
  private final ModelKeys keys;
  private final Mesh mesh;
  private final MeshView view;
  private final String region;
  private final LaneStats lanes;
  private final MeterRegistry registry;
  private final String selfName;
  /** Every version this node follows, by id: shared with the parts (see the class Javadoc for their threads). */
  private final Map<String, Rollout> rollouts = new HashMap<>();
  private String selfId;
  private long ticks;
  private ModelBandwidth bandwidth;
  private Activation activation;
  private Holdings holdings;
  private ChunkFetcher fetcher;
  private ChunkServer server;
  private AsyncMap<String, JsonObject> manifests;
  private AsyncMap<String, JsonObject> desiredMap;
  private AsyncMap<String, JsonObject> holdingsMap;
  private ModelStatus status;
  private Counter rejectedManifests;

  /**
   * @param region this node's region: peers fetch from their region first, and each chunk crosses
   *               into a region about once
   */
  public ModelVerticle(ModelOptions options, ModelStore store, Mesh mesh, MeshView view, String region,
                       LaneStats lanes, MeterRegistry registry, String selfName) {
    this.region = region;
    this.options = options;
    this.store = store;
    this.keys = ModelKeys.trusting(options.getTrustedKeys());
    this.mesh = mesh;
    this.view = view;
    this.lanes = lanes;
    this.registry = registry;
    this.selfName = selfName;
  }

  @Override
  public Future<?> start() {
    selfId = view.selfId();
    createParts();
    if (keys.isEmpty()) {
      LOG.warn("No trusted model publisher keys (models.trusted-keys): every model version will be refused");
    }
    var eb = vertx.eventBus();
    eb.<JsonObject>consumer(ModelAddresses.MODEL_ANNOUNCE, m -> onManifest(m.body()));
    eb.<JsonObject>consumer(ModelAddresses.MODEL_HOLDINGS, m -> onHoldings(m.body()));
    eb.<JsonObject>consumer(ModelAddresses.MODEL_DESIRED, m -> activation.onDesired(m.body()));
    eb.<JsonObject>consumer(ModelAddresses.MODEL_ROLLBACK, m -> onRollback(m.body()));
    view.onRemoved(node -> context.runOnContext(v -> holdings.peerLeft(node)));
    view.onAdded(node -> context.runOnContext(v -> holdings.changedAll()));
    view.onMerged(() -> context.runOnContext(v -> putBackAfterMerge()));
    vertx.setPeriodic(100, t -> tick());
    vertx.setPeriodic(Holdings.REFRESH_MS, t -> holdings.changedAll());
    return mesh.host(CHUNK_SERVICE, server::serve)
      .compose(reg -> vertx.sharedData().<String, JsonObject>getAsyncMap(MANIFESTS))
      .compose(m -> {
        manifests = m;
        return vertx.sharedData().<String, JsonObject>getAsyncMap(DESIRED);
      })
      .compose(m -> {
        desiredMap = m;
        return vertx.sharedData().<String, JsonObject>getAsyncMap(HOLDINGS);
      })
      .compose(m -> {
        holdingsMap = m;
        holdings.storeIn(m);
        status = new ModelStatus(manifests, desiredMap, m);
        return vertx.executeBlocking(this::resumeLocal);
      })
      .compose(local -> {
        local.forEach(holdings::track);
        return holdingsMap.entries();
      })
      .compose(held -> {
        // Holders first, so the first fetches already spread over all of them.
        held.values().forEach(this::onHoldings);
        return desiredMap.entries();
      })
      .compose(d -> {
        d.values().forEach(activation::remember);
        return manifests.entries();
      })
      .onSuccess(all -> {
        all.values().forEach(this::onManifest);
        rollouts.values().stream().filter(Rollout::complete).forEach(fetcher::verifyWhole);
      });
  }

  /** The parts this verticle is made of, each owning one concern (their class Javadoc says which). */
  private void createParts() {
    holdings = new Holdings(vertx, selfId, selfName, rollouts, registry);
    activation = new Activation(vertx, store, options.getKeepVersions(), rollouts, holdings::changed);
    bandwidth = new ModelBandwidth(options.getUploadBytesPerSecond(), options.getDownloadBytesPerSecond(),
      options.getMinBytesPerSecond(), options.getCriticalLatencyTargetMicros(), options.getChunkBytes(), lanes);
    fetcher = new ChunkFetcher(vertx, store, options, mesh, view, region, bandwidth, holdings, activation, registry);
    server = new ChunkServer(vertx, store, rollouts, bandwidth, registry);
    rejectedManifests = Counter.builder("netflow.model.manifests.rejected")
      .description("Manifests refused: unsigned, signed by an unknown key, or a wrong signature").register(registry);
  }

  /** Versions already on disk, with the chunks that still verify: a restart resumes from here (a worker). */
  private List<Rollout> resumeLocal() {
    List<Rollout> out = new ArrayList<>();
    for (ModelManifest m : store.local()) {
      try {
        keys.verify(m);
      } catch (MeshException e) {
        continue;
      }
      BitSet have = store.scan(m);
      LOG.info("Model {}: {} of {} chunks already on disk", m.id(), have.cardinality(), m.chunkCount());
      Rollout r = new Rollout(m, have, selfId);
      r.state = Rollout.State.FETCHING;
      out.add(r);
    }
    for (Rollout r : out) {
      store.active(r.manifest.name()).ifPresent(v -> activation.restoreActive(r.manifest.name(), v));
    }
    return out;
  }

  // ---- publishing, rollback, status (called from the HTTP routes, any thread) ----

  /**
   * Publishes a version uploaded to {@code upload} on this node: checks its signature, stores it,
   * and announces it. Fails CONFLICT if the version exists, BAD_SIGNATURE if untrusted.
   */
  public Future<ModelManifest> publish(ModelManifest signed, Path upload) {
    return on(() -> {
      try {
        keys.verify(signed);
      } catch (MeshException e) {
        rejectedManifests.increment();
        return Future.failedFuture(e);
      }
      return manifests.putIfAbsent(signed.id(), signed.toJson()).compose(prior -> {
        // A retried put (its member left mid-call) may find this very manifest: still this publish.
        if (prior != null && !prior.equals(signed.toJson()) || rollouts.containsKey(signed.id())) {
          return Future.failedFuture(new MeshException(ErrorCode.CONFLICT, "model " + signed.id() + " already exists"));
        }
        return vertx.executeBlocking(() -> {
          store.adopt(signed, upload);
          return store.scan(signed);
        }, false).compose(have -> {
          Rollout r = holdings.track(new Rollout(signed, have, selfId));
          r.state = Rollout.State.FETCHING;
          LOG.info("Published model {} ({} bytes, {} chunks) from this node", signed.id(), signed.size(), signed.chunkCount());
          JsonObject want = new JsonObject().put("name", signed.name()).put("version", signed.version())
            .put("previous", activation.active(signed.name()));
          activation.remember(want);
          fetcher.verifyWhole(r);
          vertx.eventBus().publish(ModelAddresses.MODEL_ANNOUNCE, signed.toJson());
          return desiredMap.put(signed.name(), want).onSuccess(v -> vertx.eventBus().publish(ModelAddresses.MODEL_DESIRED, want))
            .map(signed);
        });
      });
    });
  }

  /** Rolls {@code name} back to the version before the active one: on one node, or (node null) the mesh. */
  public Future<JsonObject> rollback(String name, String node) {
    return on(() -> {
      JsonObject want = activation.desired(name);
      if (want == null || want.getString("previous") == null) {
        return Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "model " + name + " has no previous version"));
      }
      JsonObject back = new JsonObject().put("name", name).put("version", want.getString("previous"));
      if (node != null) {
        vertx.eventBus().publish(ModelAddresses.MODEL_ROLLBACK, back.copy().put("node", node));
        return Future.succeededFuture(back.put("node", node));
      }
      JsonObject mesh = back.copy().put("previous", (String) null);
      return desiredMap.put(name, mesh).onSuccess(v -> vertx.eventBus().publish(ModelAddresses.MODEL_DESIRED, mesh)).map(back);
    });
  }

  /** The version of {@code name} active on this node, or null (any thread). */
  public String activeVersion(String name) {
    return activation == null ? null : activation.active(name);
  }

  /** Every version in the mesh, with the version each model should run. */
  public Future<JsonObject> list() {
    return on(status::list);
  }

  /** Per node: chunks held, fetch rate and state of one version. */
  public Future<JsonObject> rolloutStatus(String id) {
    return on(() -> status.rollout(id));
  }

  // ---- what the mesh tells this node (this verticle's event loop) ----

  private void onManifest(JsonObject json) {
    ModelManifest m;
    try {
      m = ModelManifest.fromJson(json);
      keys.verify(m);
    } catch (MeshException e) {
      rejectedManifests.increment();
      LOG.warn("Refused model manifest: {}", e.getMessage());
      return;
    }
    if (!rollouts.containsKey(m.id())) {
      fetcher.begin(m);
    }
  }

  /** What a peer holds of a version: a version this node fetches may fetch from it at once. */
  private void onHoldings(JsonObject h) {
    Rollout r = holdings.heard(h);
    if (r != null) {
      fetcher.pump(r);
    }
  }

  /**
   * This node's side of a split cluster merged into the other side, whose hand-over of the
   * cluster's maps is best effort: the manifest of every version this node holds, and the mesh's
   * wish for every model it knows, go back where the maps lack them (never over what the other side
   * holds: a rollback made there stands), and this node's holdings are written again.
   */
  private void putBackAfterMerge() {
    List<Future<Boolean>> puts = new ArrayList<>();
    for (Rollout r : rollouts.values()) {
      puts.add(manifests.putIfAbsent(r.manifest.id(), r.manifest.toJson()).map(prior -> prior == null));
    }
    for (JsonObject want : activation.desiredAll()) {
      puts.add(desiredMap.putIfAbsent(want.getString("name"), want).map(prior -> prior == null));
    }
    holdings.changedAll();
    Future.join(puts).onComplete(ar -> LOG.info("Models after a cluster merge: {} manifest(s) and wish(es) put back of {}",
      puts.stream().filter(f -> f.succeeded() && f.result()).count(), puts.size()));
  }

  private void onRollback(JsonObject back) {
    String node = back.getString("node");
    if (node == null || node.equals(selfId) || node.equals(selfName)) {
      activation.pin(back.getString("name"), back.getString("version"));
    }
  }

  /** Every 100 ms: the fetch rate follows CRITICAL latency, fetches resume, changed holdings go out. */
  private void tick() {
    if (++ticks % 2 == 0) {
      bandwidth.adjust();
    }
    for (Rollout r : rollouts.values()) {
      if (r.state == Rollout.State.FETCHING) {
        fetcher.pump(r);
      }
      holdings.announceIfChanged(r);
    }
  }

  private <T> Future<T> on(Supplier<Future<T>> action) {
    if (context == null || status == null) {
      return Future.failedFuture(new MeshException(ErrorCode.NOT_READY, "models are still starting"));
    }
    return Contexts.on(context, action);
  }
}
