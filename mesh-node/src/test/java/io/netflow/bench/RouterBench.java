package io.netflow.bench;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.NodeState;
import io.netflow.gateway.protocol.Role;
import io.netflow.load.LoadSample;
import io.netflow.load.TrafficLoad;
import io.netflow.membership.LoadReport;
import io.netflow.membership.MeshView;
import io.netflow.membership.NodeDescriptor;
import io.netflow.routing.Router;
import io.netflow.routing.RoutingOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What picking a node costs a routing shard as the mesh grows: {@link Router#pick} (the service's
 * hosts found in the view's index) against the walk over every node's report that it replaced, in
 * views of 8 to 1,024 nodes, each hosting 20 services, the one asked for hosted by 4 of them. The
 * baseline is the walk alone, without the choice that follows it, so the ratio understates the gain.
 * The same thread measures both, alternating, after a warm-up of each; nanoseconds per call, with
 * fewer calls in larger views so that each measurement takes about as long.
 */
class RouterBench {

  private static final int SERVICES_PER_NODE = 20;
  private static final int HOSTS = 4;
  private static final int CALLS = Integer.getInteger("bench.router.calls", 2_000_000);
  private static final String SERVICE = "svc-target";

  @Test
  void pickingAHostAsTheMeshGrows() throws Exception {
    JsonObject bySize = new JsonObject();
    for (int nodes : new int[]{8, 64, 256, 1_024}) {
      MeshView view = view(nodes);
      Router router = new Router(view, new RoutingOptions(), "local");
      Envelope request = Envelope.toService(SERVICE).build();
      int calls = Math.max(10_000, CALLS * 8 / nodes);
      pickNanos(router, request, calls);
      walkNanos(view, calls);
      List<Double> indexed = new ArrayList<>();
      List<Double> walked = new ArrayList<>();
      for (int run = 0; run < Bench.RUNS; run++) {
        indexed.add(pickNanos(router, request, calls));
        walked.add(walkNanos(view, calls));
      }
      double pick = Bench.median(indexed);
      double walk = Bench.median(walked);
      System.out.printf("%,d nodes: pick %.0f ns (runs %s), walking every report %.0f ns (runs %s): %.1fx%n", nodes, pick,
        rounded(indexed), walk, rounded(walked), walk / pick);
      bySize.put(String.valueOf(nodes), new JsonObject().put("calls", calls).put("pickNanos", pick).put("walkNanos", walk)
        .put("walkOverPick", walk / pick).put("pickRuns", Bench.array(indexed)).put("walkRuns", Bench.array(walked)));
    }
    Bench.save("router-index", new JsonObject()
      .put("what", "Router.pick (hosts from the view's per-service index) against the walk over every report that finding"
        + " the hosts took before; " + SERVICES_PER_NODE + " services per node, the one asked for on " + HOSTS + " nodes;"
        + " nanoseconds per call, medians of " + Bench.RUNS + " runs (the walk alone: the ratio understates the gain)")
      .put("bySize", bySize));
  }

  /** {@code nodes} nodes, each hosting its own 20 services; {@link #SERVICE} is on the first {@link #HOSTS}. */
  private static MeshView view(int nodes) {
    MeshView view = new MeshView("n0", 60_000);
    for (int n = 0; n < nodes; n++) {
      List<String> services = new ArrayList<>();
      for (int s = 0; s < SERVICES_PER_NODE - 1; s++) {
        services.add("svc-" + n + "-" + s);
      }
      services.add(n < HOSTS ? SERVICE : "svc-" + n + "-last");
      NodeDescriptor d = new NodeDescriptor("n" + n, "node-" + n, Role.EDGE, "local", 1, "", 0, 0, 0);
      view.accept(new LoadReport(d, 1, 0, NodeState.UP, new LoadSample(0.2, 0, 0, 0),
        new TrafficLoad(services, 0, 0, 100, false, new JsonObject(), new JsonObject())));
    }
    return view;
  }

  private static double pickNanos(Router router, Envelope request, int calls) {
    long hits = 0;
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      hits += router.pick(request, Set.of()).length();
    }
    return check(hits, (System.nanoTime() - start) / (double) calls);
  }

  /** The baseline: finding the hosts as the router did before the index, by walking every report. */
  private static double walkNanos(MeshView view, int calls) {
    long hits = 0;
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      List<LoadReport> hosts = new ArrayList<>();
      for (MeshView.Entry e : view.entries()) {
        if (e.report().traffic().services().contains(SERVICE)) {
          hosts.add(e.report());
        }
      }
      hits += hosts.size();
    }
    return check(hits, (System.nanoTime() - start) / (double) calls);
  }

  private static List<Long> rounded(List<Double> nanos) {
    return nanos.stream().map(Math::round).toList();
  }

  private static double check(long hits, double nanos) {
    if (hits == 0) {
      throw new IllegalStateException("nothing found: the benchmark measures nothing");
    }
    return nanos;
  }
}
