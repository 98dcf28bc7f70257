package io.netflow.models.impl;

import io.netflow.load.TrafficLoad;
import io.netflow.membership.LoadReport;
import io.netflow.membership.MeshView;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which nodes hold which model version whole and verified (from their holdings announcements), and
 * the order a device should try them in: nodes in this node's region first, then the least
 * utilised by mesh traffic (in quarters), then those with the most device-download budget left (in
 * quarters), then a hash of device and node that spreads a fleet evenly; nodes whose budget is
 * spent, draining or stale not at all. Players are also protected through the budget itself, which
 * shrinks while CRITICAL latency rises ({@link LatencyAimd}). CPU load is not a criterion: a
 * download lasts seconds to minutes, and a fleet that asks at once would herd onto whichever node's
 * last report happened to show a quiet CPU (measured: half the devices on one node, the others idle
 * for the last third of the rollout). Thread-safe.
 */
public final class DeviceSources {

  /** Where a device downloads a version from: a node and its file's URL. */
  public record Source(String nodeId, String url) {
  }

  private final MeshView view;
  private final String region;
  private final Map<String, Set<String>> holders = new ConcurrentHashMap<>();

  /** @param region the region of this node: the one a device asking it is nearest to */
  public DeviceSources(MeshView view, String region) {
    this.view = view;
    this.region = region;
  }

  /** A node's holdings announcement ({@code {model, nodeId, state}}). */
  public void holdings(JsonObject h) {
    String model = h.getString("model");
    String node = h.getString("nodeId");
    if (model == null || node == null) {
      return;
    }
    String state = h.getString("state", "");
    Set<String> nodes = holders.computeIfAbsent(model, m -> ConcurrentHashMap.newKeySet());
    if (state.equals("VERIFIED") || state.equals("ACTIVE")) {
      nodes.add(node);
    } else {
      nodes.remove(node);
    }
  }

  /** A node left the mesh: it serves nothing now. */
  public void nodeLeft(String node) {
    holders.values().forEach(nodes -> nodes.remove(node));
  }

  /** Whether {@code node} holds {@code modelId} ({@code name/version}) verified. */
  public boolean holds(String node, String modelId) {
    return holders.getOrDefault(modelId, Set.of()).contains(node);
  }

  /**
   * Up to {@code max} nodes to download {@code modelId} from, best first. Nodes with no budget left
   * are left out; an empty answer means "ask again later".
   */
  public List<Source> rank(String modelId, int max) {
    return rank(modelId, max, "");
  }

  /**
   * As {@link #rank(String, int)}, for one device: holders alike in region, load and room are
   * ordered by a hash of the device and the node (rendezvous), so that a fleet asking at once
   * spreads over them evenly instead of all starting with the same one.
   */
  public List<Source> rank(String modelId, int max, String deviceId) {
    List<MeshView.Entry> candidates = new ArrayList<>();
    for (String node : holders.getOrDefault(modelId, Set.of())) {
      MeshView.Entry e = view.get(node);
      if (e != null && !view.isStale(e) && e.report().state() != io.netflow.gateway.protocol.NodeState.DRAINING
        && e.report().traffic().deviceRoom() > 0) {
        candidates.add(e);
      }
    }
    candidates.sort(Comparator.comparing((MeshView.Entry e) -> !region.equals(e.report().node().region()))
      .thenComparingDouble(e -> utilisation(e.report()))
      .thenComparingDouble(e -> -roomStep(e.report()))
      .thenComparingLong(e -> spread(deviceId, e.report().nodeId())));
    List<Source> out = new ArrayList<>();
    for (MeshView.Entry e : candidates.subList(0, Math.min(max, candidates.size()))) {
      out.add(new Source(e.report().nodeId(), e.report().node().httpUrl() + "/v1/models/" + modelId + "/file"));
    }
    return out;
  }

  /** Budget left as a share of what is allowed, in steps of a quarter: full, most, some, little. */
  private static double roomStep(LoadReport r) {
    TrafficLoad t = r.traffic();
    return t.deviceAllowed() <= 0 ? 0 : Math.floor(t.deviceRoom() / t.deviceAllowed() * 4);
  }

  private static long spread(String deviceId, String nodeId) {
    byte[] h = io.netflow.gateway.protocol.Sha256.of(deviceId + "\n" + nodeId);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[i] & 0xff);
    }
    return v;
  }

  /** How much of a node's mesh capacity its traffic takes, in quarters, so that small differences do not reorder. */
  private static double utilisation(LoadReport r) {
    return Math.round(r.traffic().utilisation() * 4) / 4.0;
  }
}
