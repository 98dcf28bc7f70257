package io.netflow.models;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.gateway.protocol.Sha256;
import io.netflow.lanes.LaneStats;
import io.netflow.lanes.Link;
import io.netflow.membership.MeshView;
import io.netflow.mesh.Contexts;
import io.netflow.mesh.Mesh;
import io.netflow.models.impl.Activation;
import io.netflow.models.impl.ModelBandwidth;
import io.netflow.models.impl.Rollout;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
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
 * on {@link Addresses#MODEL_ACTIVATED}. A node that restarts resumes from the chunks on its disk.
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
  private static final long HOLDINGS_TTL_MS = 10_000;

  private final ModelOptions options;
  private final ModelStore store;
  private final ModelKeys keys;
  private final Mesh mesh;
  private final MeshView view;
  private final LaneStats lanes;
  private final MeterRegistry registry;
  private final Map<String, Rollout> rollouts = new HashMap<>();
  private final Map<String, Boolean> holdingsDirty = new HashMap<>();
  private final Map<String, Map<String, BitSet>> peerHoldings = new HashMap<>();
  private String selfId;
  private final String selfName;
  private long ticks;
  private ModelBandwidth bandwidth;
  private AsyncMap<String, JsonObject> manifests;
  private AsyncMap<String, JsonObject> desiredMap;
  private AsyncMap<String, JsonObject> holdings;
  private ModelStatus status;
  private Activation activation;
  private Counter rejectedManifests;
  private Counter badChunks;
  private Counter chunksServed;
  private Counter chunksFetched;
  private Counter holdingsFailures;

  public ModelVerticle(ModelOptions options, ModelStore store, Mesh mesh, MeshView view, LaneStats lanes,
                       MeterRegistry registry, String selfName) {
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
    activation = new Activation(vertx, store, options.getKeepVersions(), rollouts, id -> holdingsDirty.put(id, true));
    bandwidth = new ModelBandwidth(options.getUploadBytesPerSecond(), options.getDownloadBytesPerSecond(),
      options.getMinBytesPerSecond(), options.getCriticalLatencyTargetMicros(), options.getChunkBytes(), lanes);
    rejectedManifests = Counter.builder("netflow.model.manifests.rejected")
      .description("Manifests refused: unsigned, signed by an unknown key, or a wrong signature").register(registry);
    badChunks = Counter.builder("netflow.model.chunks.rejected")
      .description("Chunks that did not match their hash; their peer is avoided").register(registry);
    chunksServed = Counter.builder("netflow.model.chunks.served").description("Chunks served to peers").register(registry);
    holdingsFailures = Counter.builder("netflow.writes.failed").tag("what", "model-holdings")
      .description("Writes that failed (logged at WARN), by what was written").register(registry);
    chunksFetched = Counter.builder("netflow.model.chunks.fetched").description("Chunks fetched and verified")
      .register(registry);
    if (keys.isEmpty()) {
      LOG.warn("No trusted model publisher keys (models.trusted-keys): every model version will be refused");
    }
    var eb = vertx.eventBus();
    eb.<JsonObject>consumer(ModelAddresses.MODEL_ANNOUNCE, m -> onManifest(m.body()));
    eb.<JsonObject>consumer(ModelAddresses.MODEL_HOLDINGS, m -> onHoldings(m.body()));
    eb.<JsonObject>consumer(ModelAddresses.MODEL_DESIRED, m -> activation.onDesired(m.body()));
    eb.<JsonObject>consumer(ModelAddresses.MODEL_ROLLBACK, m -> onRollback(m.body()));
    view.onRemoved(node -> context.runOnContext(v -> {
      rollouts.values().forEach(r -> r.peerLeft(node));
      peerHoldings.values().forEach(m -> m.remove(node));
    }));
    vertx.setPeriodic(100, t -> tick());
    vertx.setPeriodic(2_000, t -> rollouts.values().forEach(r -> holdingsDirty.put(r.manifest.id(), true)));
    return mesh.host(CHUNK_SERVICE, this::serveChunk)
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
        holdings = m;
        status = new ModelStatus(manifests, desiredMap, holdings);
        return vertx.executeBlocking(this::resumeLocal);
      })
      .compose(local -> {
        local.forEach(this::track);
        return holdings.entries();
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
        rollouts.values().stream().filter(Rollout::complete).forEach(this::verifyWhole);
      });
  }

  /** Versions already on disk, with the chunks that still verify: a restart resumes from here. */
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
        if (prior != null || rollouts.containsKey(signed.id())) {
          return Future.failedFuture(new MeshException(ErrorCode.CONFLICT, "model " + signed.id() + " already exists"));
        }
        return vertx.executeBlocking(() -> {
          store.adopt(signed, upload);
          return store.scan(signed);
        }, false).compose(have -> {
          Rollout r = track(new Rollout(signed, have, selfId));
          r.state = Rollout.State.FETCHING;
          LOG.info("Published model {} ({} bytes, {} chunks) from this node", signed.id(), signed.size(), signed.chunkCount());
          JsonObject want = new JsonObject().put("name", signed.name()).put("version", signed.version())
            .put("previous", activation.active(signed.name()));
          activation.remember(want);
          verifyWhole(r);
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

  // ---- the rollout itself (this verticle's event loop) ----

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
    if (rollouts.containsKey(m.id())) {
      return;
    }
    Rollout r = track(new Rollout(m, new BitSet(m.chunkCount()), selfId));
    LOG.info("Fetching model {} ({} bytes, {} chunks)", m.id(), m.size(), m.chunkCount());
    vertx.executeBlocking(() -> store.prepare(m) ? store.scan(m) : new BitSet(), false).onSuccess(have -> {
      r.have.or(have);
      r.state = Rollout.State.FETCHING;
      holdingsDirty.put(m.id(), true);
      if (r.complete()) {
        verifyWhole(r);
      } else {
        pump(r);
      }
    }).onFailure(err -> fail(r, "cannot store: " + err.getMessage()));
  }

  /** What a peer holds of a version; kept even before this node knows the version, to seed its rollout. */
  private void onHoldings(JsonObject h) {
    String node = h.getString("nodeId");
    String model = h.getString("model");
    // Not checked against the view: a node may be heard of before its first load report, and a
    // holder that is gone fails its first request with NO_HANDLERS and is dropped then.
    if (model == null || node == null || node.equals(selfId)) {
      return;
    }
    BitSet held;
    try {
      held = BitSet.valueOf(Base64.getDecoder().decode(h.getString("bitmap", "")));
    } catch (IllegalArgumentException | ClassCastException e) {
      return;
    }
    peerHoldings.computeIfAbsent(model, k -> new HashMap<>()).put(node, held);
    Rollout r = rollouts.get(model);
    if (r != null) {
      r.peerHolds(node, held);
      pump(r);
    }
  }

  /** A new rollout starts knowing every holder heard of so far. */
  private Rollout track(Rollout r) {
    rollouts.put(r.manifest.id(), r);
    peerHoldings.getOrDefault(r.manifest.id(), Map.of()).forEach(r::peerHolds);
    return r;
  }

  private void tick() {
    if (++ticks % 2 == 0) {
      bandwidth.adjust();
    }
    for (Rollout r : rollouts.values()) {
      if (r.state == Rollout.State.FETCHING) {
        pump(r);
      }
      if (Boolean.TRUE.equals(holdingsDirty.remove(r.manifest.id()))) {
        announceHoldings(r);
      }
    }
  }

  /** Starts as many chunk fetches as the limits allow. */
  private void pump(Rollout r) {
    while (r.state == Rollout.State.FETCHING && r.inFlight() < options.getTotalInFlight()) {
      Rollout.Pick pick = r.next(options.getPerPeerInFlight(), peer -> view.get(peer) != null);
      if (pick == null) {
        return;
      }
      long wait = bandwidth.takeDownload(r.manifest.chunkLength(pick.chunk()));
      if (wait > 0) {
        return;
      }
      fetch(r, pick);
    }
  }

  private void fetch(Rollout r, Rollout.Pick pick) {
    r.started(pick);
    ModelManifest m = r.manifest;
    int length = m.chunkLength(pick.chunk());
    Envelope request = Envelope.toService(CHUNK_SERVICE).priority(Priority.MODEL).timeoutMillis(30_000)
      .headers(Map.of("model", m.id(), "chunk", String.valueOf(pick.chunk()), Link.REPLY_BYTES_HEADER, String.valueOf(length)))
      .build();
    mesh.requestTo(pick.peer(), request)
      .compose(reply -> vertx.executeBlocking(() -> {
        Buffer bytes = reply.body();
        if (bytes.length() != length || !Sha256.hex(bytes.getBytes()).equals(m.chunkSha256().get(pick.chunk()))) {
          return false;
        }
        store.writeChunk(m, pick.chunk(), bytes);
        return true;
      }, false))
      .onComplete(ar -> {
        r.finished(pick);
        if (ar.succeeded() && ar.result()) {
          r.fetched(pick.peer(), pick.chunk(), length);
          chunksFetched.increment();
          holdingsDirty.put(m.id(), true);
          if (r.complete()) {
            verifyWhole(r);
            return;
          }
        } else if (ar.succeeded()) {
          badChunks.increment();
          r.avoid(pick.peer());
          LOG.warn("Peer {} served a bad chunk {} of model {}: avoiding it", name(pick.peer()), pick.chunk(), m.id());
        } else {
          if (MeshException.of(ar.cause()).code() == ErrorCode.NO_HANDLERS) {
            r.peerLeft(pick.peer());
          }
          LOG.debug("Chunk {} of {} from {} failed: {}", pick.chunk(), m.id(), name(pick.peer()), ar.cause().toString());
        }
        pump(r);
      });
  }

  private void verifyWhole(Rollout r) {
    // Unordered (false): a whole-file verify must not hold back other versions' chunk writes and reads.
    vertx.executeBlocking(() -> store.verifyWhole(r.manifest), false).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        if (r.state == Rollout.State.FETCHING || r.state == Rollout.State.FAILED) {
          r.state = Rollout.State.VERIFIED;
          Map<String, Integer> from = new java.util.TreeMap<>();
          r.fetchedFrom().forEach((peer, n) -> from.put(name(peer), n));
          LOG.info("Model {} complete and verified; chunks fetched by peer: {}", r.manifest.id(), from);
        }
        holdingsDirty.put(r.manifest.id(), true);
        announceHoldings(r);
        activation.activateWanted(r.manifest.name());
      } else {
        fail(r, "whole file does not match its SHA-256");
      }
    });
  }

  private void fail(Rollout r, String why) {
    r.state = Rollout.State.FAILED;
    LOG.warn("Model {} failed: {}", r.manifest.id(), why);
    holdingsDirty.put(r.manifest.id(), true);
  }

  private void onRollback(JsonObject back) {
    String node = back.getString("node");
    if (node == null || node.equals(selfId) || node.equals(selfName)) {
      activation.pin(back.getString("name"), back.getString("version"));
    }
  }

  /** Hands a chunk to a peer, within the upload budget. */
  private Future<Buffer> serveChunk(Envelope request) {
    Rollout r = rollouts.get(request.headers().getOrDefault("model", ""));
    int chunk;
    try {
      chunk = Integer.parseInt(request.headers().getOrDefault("chunk", "-1"));
    } catch (NumberFormatException e) {
      return Future.failedFuture(new MeshException(ErrorCode.MALFORMED, "bad chunk index"));
    }
    if (r == null || chunk < 0 || !r.have.get(chunk)) {
      return Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "chunk not held here"));
    }
    Promise<Void> allowed = Promise.promise();
    waitUpload(r.manifest.chunkLength(chunk), allowed);
    return allowed.future().compose(v -> vertx.executeBlocking(() -> store.readChunk(r.manifest, chunk), false))
      .onSuccess(b -> chunksServed.increment());
  }

  private void waitUpload(int bytes, Promise<Void> allowed) {
    long wait = bandwidth.takeUpload(bytes);
    if (wait == 0) {
      allowed.complete();
    } else {
      vertx.setTimer(Math.max(1, wait / 1_000_000), t -> waitUpload(bytes, allowed));
    }
  }

  private void announceHoldings(Rollout r) {
    JsonObject h = new JsonObject().put("model", r.manifest.id()).put("nodeId", selfId).put("nodeName", selfName)
      .put("state", r.state.name()).put("held", r.have.cardinality()).put("total", r.manifest.chunkCount())
      .put("bytesPerSecond", Math.round(r.bytesPerSecond()))
      .put("bitmap", Base64.getEncoder().encodeToString(r.have.toByteArray()));
    vertx.eventBus().publish(ModelAddresses.MODEL_HOLDINGS, h);
    holdings.put(r.manifest.id() + "@" + selfId, h, HOLDINGS_TTL_MS).onFailure(err -> {
      holdingsFailures.increment();
      LOG.warn("Could not store this node's holdings of {}: {}", r.manifest.id(), err.toString());
    });
  }

  private String name(String nodeId) {
    MeshView.Entry e = view.get(nodeId);
    return e == null ? nodeId : e.report().node().name();
  }

  private <T> Future<T> on(Supplier<Future<T>> action) {
    if (context == null || status == null) {
      return Future.failedFuture(new MeshException(ErrorCode.NOT_READY, "models are still starting"));
    }
    return Contexts.on(context, action);
  }
}
