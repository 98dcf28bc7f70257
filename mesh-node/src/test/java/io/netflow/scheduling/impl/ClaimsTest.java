package io.netflow.scheduling.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.Role;
import io.netflow.scheduling.Placement;
import io.netflow.scheduling.WorkClass;
import io.netflow.scheduling.WorkItem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimsTest {

  private static final long NOW = 1_000_000;
  private static final Claims.Room ROOMY = new Claims.Room(100, 100, 100, 100, true);

  private static WorkItem item(String id, WorkClass c, long deadline) {
    return item(id, c, deadline, 1, Placement.ANYWHERE);
  }

  private static WorkItem item(String id, WorkClass c, long deadline, double cost, Placement p) {
    return WorkItem.queued(id, "k", c, deadline, cost, null, null, null, null, p, "t", NOW - 10);
  }

  private static List<String> ids(List<WorkItem> items) {
    return items.stream().map(WorkItem::id).toList();
  }

  @Test
  void realtimeFirstThenEarliestDeadlineWithinEachClass() {
    List<WorkItem> waiting = List.of(item("b-late", WorkClass.BULK, NOW + 9_000), item("n-late", WorkClass.NORMAL, NOW + 5_000),
      item("r-late", WorkClass.REALTIME, NOW + 3_000), item("b-soon", WorkClass.BULK, NOW + 2_000),
      item("n-soon", WorkClass.NORMAL, NOW + 1_000), item("r-soon", WorkClass.REALTIME, NOW + 2_500));
    assertThat(ids(Claims.choose(waiting, i -> true, ROOMY, true, NOW, 0)))
      .containsExactly("r-soon", "r-late", "n-soon", "n-late", "b-soon", "b-late");
  }

  @Test
  void aRetriedItemWaitsOutItsBackoff() {
    WorkItem failed = item("retry", WorkClass.REALTIME, NOW + 5_000).claimedBy("n1", "n1", NOW - 5, 1_000)
      .retried("disk full", NOW + 500);
    List<WorkItem> waiting = List.of(failed, item("fresh", WorkClass.NORMAL, NOW + 9_000));
    assertThat(ids(Claims.choose(waiting, i -> true, ROOMY, true, NOW, 0))).containsExactly("fresh");
    assertThat(ids(Claims.choose(waiting, i -> true, ROOMY, true, NOW + 500, 0))).containsExactly("retry", "fresh");
    // Requeued because its node left: no wait.
    assertThat(ids(Claims.choose(List.of(failed.claimedBy("n2", "n2", NOW, 1_000).requeued("node n2 left")),
      i -> true, ROOMY, true, NOW, 0))).containsExactly("retry");
  }

  @Test
  void bulkWaitsWhileBusyUnlessItsDeadlineIsNear() {
    List<WorkItem> waiting = List.of(item("bulk-far", WorkClass.BULK, NOW + 600_000),
      item("bulk-near", WorkClass.BULK, NOW + 30_000), item("normal", WorkClass.NORMAL, NOW + 600_000));
    assertThat(ids(Claims.choose(waiting, i -> true, ROOMY, false, NOW, 60_000))).containsExactly("normal", "bulk-near");
    assertThat(ids(Claims.choose(waiting, i -> true, ROOMY, true, NOW, 60_000)))
      .containsExactly("normal", "bulk-near", "bulk-far");
    // While busy a node runs only a few urgent BULK items at once.
    assertThat(ids(Claims.choose(List.of(item("b1", WorkClass.BULK, NOW + 1), item("b2", WorkClass.BULK, NOW + 2)),
      i -> true, new Claims.Room(10, 10, 1, 10, false), false, NOW, 60_000))).containsExactly("b1");
  }

  @Test
  void takesOnlyWhatFitsItsRoom() {
    List<WorkItem> waiting = List.of(item("r1", WorkClass.REALTIME, NOW), item("r2", WorkClass.REALTIME, NOW + 1),
      item("n1", WorkClass.NORMAL, NOW), item("n2", WorkClass.NORMAL, NOW + 1));
    // The adaptive limit leaves no room for NORMAL; REALTIME may use the whole concurrency.
    assertThat(ids(Claims.choose(waiting, i -> true, new Claims.Room(3, 0, 100, 100, false), true, NOW, 0)))
      .containsExactly("r1", "r2");
    // Cost: 2.5 units free takes the cost-2 item and skips the next cost-2 one for a cost-0.5 one.
    List<WorkItem> costly = List.of(item("c2a", WorkClass.NORMAL, NOW, 2, Placement.ANYWHERE),
      item("c2b", WorkClass.NORMAL, NOW + 1, 2, Placement.ANYWHERE), item("c05", WorkClass.NORMAL, NOW + 2, 0.5, Placement.ANYWHERE));
    assertThat(ids(Claims.choose(costly, i -> true, new Claims.Room(10, 10, 100, 2.5, false), true, NOW, 0)))
      .containsExactly("c2a", "c05");
    // An item dearer than the whole budget still runs, alone, on an idle node.
    List<WorkItem> huge = List.of(item("huge", WorkClass.NORMAL, NOW, 50, Placement.ANYWHERE), item("small", WorkClass.NORMAL, NOW + 1));
    assertThat(ids(Claims.choose(huge, i -> true, new Claims.Room(10, 10, 100, 16, true), true, NOW, 0))).containsExactly("huge");
    assertThat(ids(Claims.choose(huge, i -> true, new Claims.Room(10, 10, 100, 16, false), true, NOW, 0))).containsExactly("small");
  }

  @Test
  void placementDecidesWhereWorkMayRun() {
    Map<String, String> active = Map.of("ranker", "v2");
    Placement cloudEu = new Placement(Role.CLOUD, "eu", null);
    Placement needsV2 = new Placement(null, null, "ranker/v2");
    Placement needsV3 = new Placement(null, null, "ranker/v3");
    assertThat(cloudEu.admits(Role.CLOUD, "eu", active::get)).isTrue();
    assertThat(cloudEu.admits(Role.EDGE, "eu", active::get)).isFalse();
    assertThat(cloudEu.admits(Role.CLOUD, "us", active::get)).isFalse();
    assertThat(needsV2.admits(Role.EDGE, "us", active::get)).isTrue();
    assertThat(needsV3.admits(Role.EDGE, "us", active::get)).isFalse();
    assertThat(needsV2.admits(Role.EDGE, "us", name -> null)).isFalse();
  }
}
