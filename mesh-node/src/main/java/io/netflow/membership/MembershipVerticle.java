package io.netflow.membership;

import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.NodeState;
import io.netflow.load.LoadSampler;
import io.netflow.load.TrafficLoad;
import io.netflow.membership.impl.MembershipMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this node's load report every interval (as an event, and to a cluster map with a TTL),
 * and keeps the node's {@link MeshView} of everyone else's. A report that says nothing new (an idle
 * node's) goes out as a heartbeat: its number and time only, which peers take as "the last full
 * report still holds". A full report goes out when something moved, when a member joins, and at
 * least every {@value #FULL_REPORT_TICKS} ticks, so idle work follows what changes while a node
 * that stops reporting is still seen stale as soon as before.
 *
 * <p>Who is a member comes from the cluster manager: a member that leaves is dropped at once,
 * and reports from non-members are ignored. How a member is doing comes from its reports: one
 * whose reports stop is shown stale once the last is older than the stale limit.
 */
public class MembershipVerticle extends VerticleBase {

  /** The cluster map holding every node's latest report, keyed by node id, each with a TTL. */
  public static final String REPORTS_MAP = "netflow.load-reports";

  private static final Logger LOG = LoggerFactory.getLogger(MembershipVerticle.class);

  /** Every this many report ticks (2 s at the default 500 ms), the node checks that the cluster lists its consumers. */
  static final int LISTED_CHECK_TICKS = 4;
  /** A full report goes out at least every this many ticks (4 s at the default 500 ms), changed or not. */
  static final int FULL_REPORT_TICKS = 8;

  private final MembershipOptions options;
  private final NodeDescriptor self;
  private final ClusterMembership cluster;
  private final MeshView view;
  private final LoadSampler sampler = new LoadSampler();
  private final MeterRegistry registry;
  private final Supplier<TrafficLoad> traffic;
  private final Set<String> staleNodes = new HashSet<>();

  private volatile NodeState state = NodeState.UP;
  private boolean draining;
  private MembershipMetrics metrics;
  private AsyncMap<String, JsonObject> reportsMap;
  private AutoCloseable membershipListener;
  private long seq;
  private long timerId = -1;
  private long lastTickNanos;
  private long ticks;
  /** The last report sent in full, and the ticks since. */
  private LoadReport lastFull;
  private int sinceFull;
  /** A member joined: it learns of this node from the next report, which goes in full. */
  private boolean fullNext = true;
  /** Members whose reports say they do not read heartbeats (an earlier release): while any is, every report goes in full. */
  private final Set<String> peersWithoutHeartbeats = new HashSet<>();
  /** Peers whose latest full report is being read from the cluster map (a heartbeat named one this node missed). */
  private final Set<String> fetching = new HashSet<>();
  private final AtomicBoolean checkingListed = new AtomicBoolean();

  /**
   * @param traffic what the data plane reports of itself (services, topics, admission, lanes);
   *                read once per report, from this verticle's thread
   */
  public MembershipVerticle(MembershipOptions options, NodeDescriptor self, ClusterMembership cluster,
                            MeshView view, MeterRegistry registry, Supplier<TrafficLoad> traffic) {
    this.traffic = traffic;
    this.options = options;
    this.self = self;
    this.cluster = cluster;
    this.view = view;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    metrics = new MembershipMetrics(registry, view, cluster, () -> state);
    EventBus eb = vertx.eventBus();
    MessageConsumer<JsonObject> reports = eb.consumer(MembershipAddresses.MESH_REPORTS, m -> onReport(m.body()));
    eb.<Void>localConsumer(MembershipAddresses.MESH_VIEW, m -> m.reply(view.toJson(cluster.size())));
    eb.<Void>localConsumer(MembershipAddresses.NODE_DRAIN, m -> drain().onComplete(ar -> m.reply(state.name())));
    eb.<Void>localConsumer(MembershipAddresses.NODE_REPORT_NOW, m -> publish());
    MessageConsumer<Void> remoteDrain = eb.consumer(MembershipAddresses.nodeDrain(self.nodeId()),
      m -> drain().onComplete(ar -> m.reply(state.name())));
    membershipListener = cluster.listen(new ClusterMembership.Listener() {
      @Override
      public void memberAdded(String nodeId) {
        context.runOnContext(v -> onMemberAdded(nodeId));
      }

      @Override
      public void memberRemoved(String nodeId) {
        context.runOnContext(v -> onMemberRemoved(nodeId));
      }

      @Override
      public void mergedIntoOtherSide() {
        context.runOnContext(v -> onMerged());
      }
    });
    return vertx.sharedData().<String, JsonObject>getAsyncMap(REPORTS_MAP)
      .compose(map -> {
        reportsMap = map;
        return map.entries();
      })
      .compose(held -> {
        seed(held);
        return Future.all(reports.completion(), remoteDrain.completion(), publish());
      })
      .onSuccess(v -> {
        metrics.nodesChanged();
        lastTickNanos = System.nanoTime();
        timerId = vertx.setPeriodic(options.getReportIntervalMs(), id -> tick());
      });
  }

  @Override
  public Future<?> stop() throws Exception {
    vertx.cancelTimer(timerId);
    membershipListener.close();
    metrics.close();
    return reportsMap.remove(self.nodeId()).otherwiseEmpty();
  }

  /** Reports already in the cluster map when this node starts: it sees the mesh at once. */
  private void seed(Map<String, JsonObject> held) {
    long now = System.nanoTime();
    long wallNow = System.currentTimeMillis();
    for (JsonObject json : held.values()) {
      try {
        LoadReport r = LoadReport.fromJson(json);
        if (!r.nodeId().equals(self.nodeId()) && cluster.isMember(r.nodeId())) {
          // The sender's clock is all there is to age a stored report by; never make it younger.
          long ageNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, wallNow - r.sentAtMillis()));
          view.accept(r, now - ageNanos);
          logPeer(r);
        }
      } catch (IllegalArgumentException e) {
        metrics.reportRejected();
      }
    }
  }

  private void tick() {
    long now = System.nanoTime();
    long lagNanos = now - lastTickNanos - TimeUnit.MILLISECONDS.toNanos(options.getReportIntervalMs());
    lastTickNanos = now;
    publish(Math.max(0, lagNanos) / 1e6);
    checkStale();
    if (++ticks % LISTED_CHECK_TICKS == 0) {
      checkListed();
    }
  }

  /**
   * Whether the cluster still lists this node's consumer of the mesh's reports (every node has one).
   * When a split cluster merges, the cluster's list of consumers can lose a node that ran on through
   * the split: its peers then see it stale and reach none of its services, though it is a member.
   * Its consumers are then listed again (counted, and logged at WARN).
   */
  private void checkListed() {
    if (!checkingListed.compareAndSet(false, true)) {
      return;
    }
    cluster.listsOwnConsumer(MembershipAddresses.MESH_REPORTS)
      .compose(listed -> {
        if (listed) {
          return Future.<Void>succeededFuture();
        }
        metrics.relisted();
        LOG.warn("The cluster no longer listed this node's event-bus consumers (lost in a cluster merge): listing them again");
        return cluster.republishOwnConsumers();
      })
      .onComplete(ar -> {
        if (ar.failed()) {
          LOG.debug("Could not check this node's event-bus consumers: {}", ar.cause().toString());
        }
        checkingListed.set(false);
      });
  }

  private Future<Void> publish() {
    return publish(0);
  }

  private Future<Void> publish(double loopLagMs) {
    TrafficLoad t = traffic.get();
    NodeState now = draining ? NodeState.DRAINING : t.overloaded() ? NodeState.OVERLOADED : NodeState.UP;
    if (now != state && !draining) {
      LOG.info("This node is now {}", now);
    }
    state = now;
    LoadReport report = new LoadReport(self, seq++, System.currentTimeMillis(), state, sampler.sample(loopLagMs), t);
    view.accept(report);
    if (!fullNext && lastFull != null && sinceFull + 1 < FULL_REPORT_TICKS && peersWithoutHeartbeats.isEmpty()
        && !lastFull.differsFrom(report)) {
      sinceFull++;
      metrics.reportSent(false);
      vertx.eventBus().publish(MembershipAddresses.MESH_REPORTS, LoadReport.heartbeat(self.nodeId(), report.seq(),
        report.sentAtMillis(), lastFull.seq()));
      return Future.succeededFuture();
    }
    fullNext = false;
    sinceFull = 0;
    lastFull = report;
    metrics.reportSent(true);
    JsonObject json = report.toJson();
    vertx.eventBus().publish(MembershipAddresses.MESH_REPORTS, json);
    // Kept in the map until the next full report is due and then some: a node starting meanwhile seeds its view from it.
    long ttl = options.getStaleAfterMs() + FULL_REPORT_TICKS * options.getReportIntervalMs();
    return reportsMap.put(self.nodeId(), json, ttl)
      .onFailure(err -> LOG.debug("Could not store load report: {}", err.getMessage()));
  }

  private void onReport(JsonObject json) {
    LoadReport report;
    try {
      String beating = LoadReport.heartbeatFrom(json);
      if (beating != null) {
        onHeartbeat(beating, json);
        return;
      }
      report = LoadReport.fromJson(json);
    } catch (IllegalArgumentException e) {
      metrics.reportRejected();
      LOG.debug("Refused a malformed load report: {}", e.getMessage());
      return;
    }
    if (report.nodeId().equals(self.nodeId()) || !cluster.isMember(report.nodeId())) {
      return;
    }
    metrics.reportReceived();
    if (LoadReport.takesHeartbeats(json)) {
      peersWithoutHeartbeats.remove(report.nodeId());
    } else if (peersWithoutHeartbeats.add(report.nodeId())) {
      LOG.info("Peer {} does not read heartbeats (an earlier release): reporting in full every tick", report.node().name());
    }
    taken(report);
  }

  private void taken(LoadReport report) {
    MeshView.Entry before = view.get(report.nodeId());
    if (view.accept(report)) {
      if (before == null) {
        logPeer(report);
        metrics.nodesChanged();
      } else if (before.report().state() != report.state()) {
        LOG.info("Peer {} is now {}", report.node().name(), report.state());
      }
      if (staleNodes.remove(report.nodeId())) {
        LOG.info("Peer {} is reporting again", report.node().name());
      }
    }
  }

  /** A peer's last full report still holds (one this node has not seen yet comes in full within a tick of its joining). */
  private void onHeartbeat(String nodeId, JsonObject json) {
    if (nodeId.equals(self.nodeId()) || !cluster.isMember(nodeId)) {
      return;
    }
    metrics.reportReceived();
    if (view.refresh(nodeId, json.getLong("seq"), json.getLong("sentAtMillis"), json.getLong("of"))) {
      MeshView.Entry e = view.get(nodeId);
      if (e != null && staleNodes.remove(nodeId)) {
        LOG.info("Peer {} is reporting again", e.report().node().name());
      }
      return;
    }
    MeshView.Entry held = view.get(nodeId);
    if (held != null && held.report().seq() >= json.getLong("seq")) {
      return;
    }
    // This node missed the full report the heartbeat confirms (or never had one from the peer):
    // the cluster map holds it.
    if (fetching.add(nodeId)) {
      reportsMap.get(nodeId).onComplete(ar -> {
        fetching.remove(nodeId);
        if (ar.succeeded() && ar.result() != null) {
          try {
            LoadReport missed = LoadReport.fromJson(ar.result());
            if (missed.nodeId().equals(nodeId) && cluster.isMember(nodeId)) {
              taken(missed);
            }
          } catch (IllegalArgumentException e) {
            metrics.reportRejected();
          }
        }
      });
    }
  }

  private static void logPeer(LoadReport r) {
    LOG.info("Peer {} ({}, {}, capacity {}) reporting from {}", r.node().name(), r.node().role().id(),
      r.node().region(), r.node().capacity(), r.node().httpUrl());
  }

  private void checkStale() {
    for (MeshView.Entry e : view.entries()) {
      if (view.isStale(e) && staleNodes.add(e.report().nodeId())) {
        LOG.info("Peer {} is stale: {}", e.report().node().name(), view.isUnreachable(e.report().nodeId())
          ? "it refuses connections" : "no load report for " + view.ageMillis(e) + " ms");
      }
    }
  }

  private void onMemberAdded(String nodeId) {
    LOG.info("Member joined: {}; cluster of {}", nodeId, cluster.size());
    fullNext = true;
  }

  private void onMemberRemoved(String nodeId) {
    MeshView.Entry gone = view.remove(nodeId);
    staleNodes.remove(nodeId);
    peersWithoutHeartbeats.remove(nodeId);
    metrics.nodesChanged();
    String name = gone == null ? "?" : gone.report().node().name();
    LOG.info("Member left: {} ({}); cluster of {}", name, nodeId, cluster.size());
    reportsMap.remove(nodeId);
  }

  private void onMerged() {
    LOG.warn("This node's side of a split cluster merged into the other side (the cluster's maps were handed over "
      + "at best effort): putting back what this node's journals hold; cluster of {}", cluster.size());
    metrics.merged();
    fullNext = true;
    view.merged();
  }

  /** Enters DRAINING and tells peers at once, not at the next tick. */
  private Future<Void> drain() {
    if (draining) {
      return Future.succeededFuture();
    }
    draining = true;
    LOG.info("Draining: peers will route around this node");
    vertx.eventBus().publish(MembershipAddresses.NODE_DRAINING, null, new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true));
    return publish();
  }
}
