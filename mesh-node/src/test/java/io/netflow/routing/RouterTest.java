package io.netflow.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.NodeState;
import io.netflow.gateway.protocol.Role;
import io.netflow.load.LoadSample;
import io.netflow.load.TrafficLoad;
import io.netflow.membership.LoadReport;
import io.netflow.membership.MeshView;
import io.netflow.membership.NodeDescriptor;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RouterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final MeshView view = new MeshView("self", 2_000);
  private final Router router = new Router(view, new RoutingOptions().setSlowStartMs(0), now::get, new SplittableRandom(1));

  private void node(String id, double capacity, NodeState state) {
    NodeDescriptor d = new NodeDescriptor(id, id, Role.EDGE, "local", capacity, "", 0, 0, 0);
    TrafficLoad t = new TrafficLoad(List.of("svc"), 0, 0, 100, false, new JsonObject(), new JsonObject());
    view.accept(new LoadReport(d, System.nanoTime(), 0, state, new LoadSample(0, 0, 0, 0), t));
  }

  private static Envelope keyed(String key) {
    return Envelope.toService("svc").key(key).build();
  }

  @Test
  void powerOfTwoPrefersTheNodeWithLessInFlight() {
    node("a", 1, NodeState.UP);
    node("b", 1, NodeState.UP);
    for (int i = 0; i < 10; i++) {
      router.stats("a").begin();
    }
    for (int i = 0; i < 100; i++) {
      assertThat(router.pick(Envelope.toService("svc").build(), Set.of())).isEqualTo("b");
    }
  }

  @Test
  void overloadedNodesComeBackWhenTooFewAreUp() {
    node("a", 1, NodeState.OVERLOADED);
    node("b", 1, NodeState.OVERLOADED);
    node("c", 1, NodeState.UP);
    Set<String> picked = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      picked.add(router.pick(Envelope.toService("svc").build(), Set.of()));
    }
    // Only a third of the capacity is UP: sending all to c would flood it.
    assertThat(picked).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void drainingAndOverloadedAreSkippedUnlessAllAre() {
    node("a", 1, NodeState.DRAINING);
    node("b", 1, NodeState.OVERLOADED);
    node("c", 2, NodeState.UP);
    for (int i = 0; i < 50; i++) {
      assertThat(router.pick(Envelope.toService("svc").build(), Set.of())).isEqualTo("c");
    }
    // Panic mode: with c gone, the others still serve.
    assertThat(router.pick(Envelope.toService("svc").build(), Set.of("c"))).isIn("a", "b");
  }

  @Test
  void fewKeysMoveWhenANodeJoins() {
    for (String n : List.of("a", "b", "c", "d")) {
      node(n, 1, NodeState.UP);
    }
    Map<String, String> before = new HashMap<>();
    for (int k = 0; k < 2_000; k++) {
      before.put("k" + k, router.pick(keyed("k" + k), Set.of()));
    }
    node("e", 1, NodeState.UP);
    long moved = before.entrySet().stream().filter(en -> !router.pick(keyed(en.getKey()), Set.of()).equals(en.getValue())).count();
    // Ideal: 1/5 of the keys move, all of them to the new node.
    assertThat(moved).isBetween(300L, 500L);
    before.forEach((k, old) -> {
      String nu = router.pick(keyed(k), Set.of());
      assertThat(nu.equals(old) || nu.equals("e")).isTrue();
    });
  }

  @Test
  void keysFollowCapacity() {
    node("small", 1, NodeState.UP);
    node("big", 3, NodeState.UP);
    long big = 0;
    for (int k = 0; k < 4_000; k++) {
      if (router.pick(keyed("k" + k), Set.of()).equals("big")) {
        big++;
      }
    }
    assertThat(big / 4_000.0).isBetween(0.70, 0.80);
  }

  @Test
  void aKeySpillsOnceItsNodeIsPastItsBound() {
    node("a", 1, NodeState.UP);
    node("b", 1, NodeState.UP);
    node("c", 1, NodeState.UP);
    String home = router.pick(keyed("hot"), Set.of());
    Map<String, Integer> inFlight = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      String n = router.pick(keyed("hot"), Set.of());
      router.stats(n).begin();
      inFlight.merge(n, 1, Integer::sum);
    }
    // Bound: ceil(1.25 x (in-flight + 1) / 3) per node; home fills first.
    assertThat(inFlight.get(home)).isBetween(10, 14);
    assertThat(inFlight.values().stream().mapToInt(Integer::intValue).max().orElseThrow()).isEqualTo(inFlight.get(home));
    assertThat(inFlight).hasSize(3);
  }

  @Test
  void excludedNodesAreNeverPicked() {
    node("a", 1, NodeState.UP);
    node("b", 1, NodeState.UP);
    assertThat(router.pick(keyed("x"), Set.of("a", "b"))).isNull();
    assertThat(router.pick(Envelope.toService("other").build(), Set.of())).isNull();
  }
}
