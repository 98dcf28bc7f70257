package io.netflow.models.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.gateway.protocol.Sha256;
import io.netflow.lanes.Link;
import io.netflow.membership.MeshView;
import io.netflow.mesh.Mesh;
import io.netflow.models.ModelManifest;
import io.netflow.models.ModelOptions;
import io.netflow.models.ModelStore;
import io.netflow.models.ModelVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch pump: brings the chunks of a version this node lacks from the peers that hold them.
 * Each pump starts as many fetches as the limits allow (in flight per version and per peer, and
 * the download budget), the chunks {@link Rollout#next} picks; every arriving chunk is checked
 * against its hash before it is written, a peer that served a bad one is avoided, and one that
 * is gone is dropped. A version whose last chunk arrives is verified whole, then handed to
 * {@link Activation}. Holdings are marked changed as chunks arrive, for {@link Holdings} to announce.
 *
 * <p>Owned by the model verticle's event loop; hashing and disk work run on workers, unordered, so
 * one version's whole-file verify never holds back another's chunks.
 */
public final class ChunkFetcher {

  private static final Logger LOG = LoggerFactory.getLogger(ChunkFetcher.class);
  /** How long a peer has to answer one chunk request. */
  private static final long CHUNK_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final ModelStore store;
  private final ModelOptions options;
  private final Mesh mesh;
  private final MeshView view;
  /** The peers as this node's view has them: live, and in its region or not. */
  private final Rollout.Peers peers;
  private final ModelBandwidth bandwidth;
  private final Holdings holdings;
  private final Activation activation;
  private final Counter badChunks;
  private final Counter chunksFetched;
  private final Counter chunksCrossed;

  /**
   * @param region this node's region: chunks are fetched from peers in it first (see {@link Rollout})
   */
  public ChunkFetcher(Vertx vertx, ModelStore store, ModelOptions options, Mesh mesh, MeshView view, String region,
                      ModelBandwidth bandwidth, Holdings holdings, Activation activation, MeterRegistry registry) {
    this.vertx = vertx;
    this.store = store;
    this.options = options;
    this.mesh = mesh;
    this.view = view;
    this.peers = new Rollout.Peers() {
      @Override
      public boolean alive(String peer) {
        return view.get(peer) != null;
      }

      @Override
      public boolean near(String peer) {
        MeshView.Entry e = view.get(peer);
        return e != null && e.report().node().region().equals(region);
      }

      @Override
      public java.util.Collection<String> region() {
        List<String> members = new java.util.ArrayList<>();
        for (MeshView.Entry e : view.entries()) {
          String id = e.report().nodeId();
          if (!id.equals(view.selfId()) && e.report().node().region().equals(region)) {
            members.add(id);
          }
        }
        return members;
      }
    };
    this.bandwidth = bandwidth;
    this.holdings = holdings;
    this.activation = activation;
    this.badChunks = Counter.builder("netflow.model.chunks.rejected")
      .description("Chunks that did not match their hash; their peer is avoided").register(registry);
    this.chunksFetched = Counter.builder("netflow.model.chunks.fetched").description("Chunks fetched and verified")
      .register(registry);
    this.chunksCrossed = Counter.builder("netflow.model.chunks.crossed")
      .description("Chunks fetched and verified from a peer in another region").register(registry);
  }

  /**
   * Starts fetching a version this node has not followed yet (its manifest already trusted): makes
   * room on disk, keeps what a previous run left there, and fetches the rest.
   */
  public void begin(ModelManifest m) {
    Rollout r = holdings.track(new Rollout(m, new BitSet(m.chunkCount()), view.selfId()));
    LOG.info("Fetching model {} ({} bytes, {} chunks)", m.id(), m.size(), m.chunkCount());
    vertx.executeBlocking(() -> store.prepare(m) ? store.scan(m) : new BitSet(), false).onSuccess(have -> {
      r.have.or(have);
      r.state = Rollout.State.FETCHING;
      holdings.changed(m.id());
      if (r.complete()) {
        verifyWhole(r);
      } else {
        pump(r);
      }
    }).onFailure(err -> fail(r, "cannot store: " + err.getMessage()));
  }

  /** Starts as many chunk fetches as the limits allow. */
  public void pump(Rollout r) {
    while (r.state == Rollout.State.FETCHING && r.inFlight() < options.getTotalInFlight()) {
      Rollout.Pick pick = r.next(options.getPerPeerInFlight(), peers);
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
    Envelope request = Envelope.toService(ModelVerticle.CHUNK_SERVICE).priority(Priority.MODEL).timeoutMillis(CHUNK_TIMEOUT_MS)
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
          if (!peers.near(pick.peer())) {
            chunksCrossed.increment();
          }
          holdings.changed(m.id());
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

  /** Checks a version with every chunk held against its whole-file hash; activates it if wanted. */
  public void verifyWhole(Rollout r) {
    // Unordered (false): a whole-file verify must not hold back other versions' chunk writes and reads.
    vertx.executeBlocking(() -> store.verifyWhole(r.manifest), false).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        if (r.state == Rollout.State.FETCHING || r.state == Rollout.State.FAILED) {
          r.state = Rollout.State.VERIFIED;
          Map<String, Integer> from = new TreeMap<>();
          r.fetchedFrom().forEach((peer, n) -> from.put(name(peer), n));
          LOG.info("Model {} complete and verified; chunks fetched by peer: {}", r.manifest.id(), from);
        }
        holdings.changed(r.manifest.id());
        holdings.announce(r);
        activation.activateWanted(r.manifest.name());
      } else {
        fail(r, "whole file does not match its SHA-256");
      }
    });
  }

  private void fail(Rollout r, String why) {
    r.state = Rollout.State.FAILED;
    LOG.warn("Model {} failed: {}", r.manifest.id(), why);
    holdings.changed(r.manifest.id());
  }

  private String name(String nodeId) {
    MeshView.Entry e = view.get(nodeId);
    return e == null ? nodeId : e.report().node().name();
  }
}
