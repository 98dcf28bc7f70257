package io.netflow.membership.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.netflow.gateway.protocol.NodeState;
import io.netflow.membership.ClusterMembership;
import io.netflow.membership.MeshView;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The {@code netflow_mesh_*} and {@code netflow_node_*} meters of membership. */
public final class MembershipMetrics {

  /** The pseudo-state counted for peers whose reports stopped. */
  private static final String STALE = "STALE";

  private final MeterRegistry registry;
  private final MeshView view;
  private final List<Meter> meters = new ArrayList<>();
  private final MultiGauge reportAge;
  private final Counter received;
  private final Counter rejected;
  private final Counter sentFull;
  private final Counter sentHeartbeat;
  private final Counter relisted;
  private final Counter merged;

  public MembershipMetrics(MeterRegistry registry, MeshView view, ClusterMembership cluster, Supplier<NodeState> state) {
    this.registry = registry;
    this.view = view;
    meters.add(Gauge.builder("netflow.mesh.members", cluster::size)
      .description("Members of the cluster, as the cluster manager sees them").register(registry));
    for (NodeState s : NodeState.values()) {
      meters.add(Gauge.builder("netflow.node.state", () -> state.get() == s ? 1 : 0)
        .description("1 for this node's current state, 0 for the others").tag("state", s.name()).register(registry));
      meters.add(Gauge.builder("netflow.mesh.nodes", () -> count(s.name()))
        .description("Nodes in this node's view, by reported state (STALE: reports stopped)")
        .tag("state", s.name()).register(registry));
    }
    meters.add(Gauge.builder("netflow.mesh.nodes", () -> count(STALE))
      .description("Nodes in this node's view, by reported state (STALE: reports stopped)")
      .tag("state", STALE).register(registry));
    meters.add(Gauge.builder("netflow.mesh.utilisation", view, MeshView::utilisation)
      .description("Scale-out signal: capacity-weighted max(CPU, admission use) over the nodes that report; "
        + "sustained above 0.7, add nodes").register(registry));
    reportAge = MultiGauge.builder("netflow.mesh.report.age").baseUnit("seconds")
      .description("Age of the latest load report from each node").register(registry);
    received = Counter.builder("netflow.mesh.reports.received").description("Peer load reports received")
      .register(registry);
    rejected = Counter.builder("netflow.mesh.reports.rejected")
      .description("Peer load reports refused as malformed").register(registry);
    meters.add(received);
    meters.add(rejected);
    sentFull = sent(registry, "full");
    sentHeartbeat = sent(registry, "heartbeat");
    relisted = Counter.builder("netflow.membership.relisted")
      .description("Times the cluster no longer listed this node's event-bus consumers (lost in a merge) and they were listed again")
      .register(registry);
    meters.add(sentFull);
    meters.add(sentHeartbeat);
    merged = Counter.builder("netflow.membership.merged")
      .description("Times this node's side of a split cluster merged into the other side, and the journals were put back")
      .register(registry);
    meters.add(relisted);
    meters.add(merged);
  }

  private static Counter sent(MeterRegistry registry, String kind) {
    return Counter.builder("netflow.mesh.reports.sent").tag("kind", kind)
      .description("Load reports this node sent: in full, or as a heartbeat when nothing had changed").register(registry);
  }

  /** This node sent its report, in full or as a heartbeat. */
  public void reportSent(boolean full) {
    (full ? sentFull : sentHeartbeat).increment();
  }

  /** This node listed its event-bus consumers again, the cluster having lost them. */
  public void relisted() {
    relisted.increment();
  }

  /** This node's side of a split cluster merged into the other side. */
  public void merged() {
    merged.increment();
  }

  public void reportReceived() {
    received.increment();
  }

  public void reportRejected() {
    rejected.increment();
  }

  /** Re-lists the nodes whose report age is exported; call when a node appears or leaves. */
  public void nodesChanged() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (MeshView.Entry e : view.entries()) {
      String id = e.report().nodeId();
      rows.add(MultiGauge.Row.of(Tags.of("node", e.report().node().name()), () -> ageSeconds(id)));
    }
    reportAge.register(rows, true);
  }

  private double ageSeconds(String nodeId) {
    MeshView.Entry e = view.get(nodeId);
    return e == null ? Double.NaN : view.ageMillis(e) / 1000.0;
  }

  /** Removes every meter, so a stopped verticle leaves nothing behind in the registry. */
  public void close() {
    reportAge.register(List.of(), true);
    meters.forEach(registry::remove);
  }

  private long count(String state) {
    return view.entries().stream()
      .filter(e -> STALE.equals(state) ? view.isStale(e) : !view.isStale(e) && e.report().state().name().equals(state))
      .count();
  }
}
