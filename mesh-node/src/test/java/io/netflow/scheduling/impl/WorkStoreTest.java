package io.netflow.scheduling.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.scheduling.Placement;
import io.netflow.scheduling.WorkClass;
import io.netflow.scheduling.WorkItem;
import io.netflow.scheduling.WorkState;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The work store on two real members: changes are atomic where the item is kept (none lost however
 * two nodes race), each is journaled once, backups hold exactly what the owner stored, and a change
 * keeps its meaning (leave alone, refuse, renew quietly) whichever member it runs on.
 */
class WorkStoreTest {

  private static final int CHANGES_PER_NODE = 250;

  private TestMesh mesh;
  private NetflowNode a;
  private NetflowNode b;
  private WorkStore storeA;
  private WorkStore storeB;
  private final List<Long> heardOnA = new CopyOnWriteArrayList<>();
  private final List<Long> heardOnB = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    mesh = new TestMesh();
    a = mesh.start("a");
    b = mesh.start("b");
    storeA = new WorkStore(TestMesh.hazelcast(a));
    storeB = new WorkStore(TestMesh.hazelcast(b));
    storeA.listen((record, item, isNew) -> heardOnA.add(record.getLong(WorkStore.REV)));
    storeB.listen((record, item, isNew) -> heardOnB.add(record.getLong(WorkStore.REV)));
  }

  @AfterEach
  void close() throws Exception {
    mesh.close();
  }

  private static WorkItem item(String id) {
    return WorkItem.queued(id, "test-only", WorkClass.NORMAL, System.currentTimeMillis() + 60_000, 1, null, null,
      null, null, Placement.ANYWHERE, "test", System.currentTimeMillis());
  }

  /** One more in the counter kept as the item's result, and one more attempt (so the journal hears of it). */
  private static WorkItem bump(WorkItem cur) {
    int count = cur.result() == null ? 0 : ((Number) cur.result()).intValue();
    return WorkItem.fromJson(cur.toJson().put("attempt", cur.attempt() + 1).put("result", count + 1));
  }

  private static JsonObject stored(NetflowNode node, String id) {
    HazelcastJsonValue raw = TestMesh.hazelcast(node).<String, HazelcastJsonValue>getMap(WorkStore.MAP).get(id);
    return raw == null ? null : new JsonObject(raw.getValue());
  }

  @Test
  void twoNodesRacingOnOneItemLoseNoChangeAndEachChangeIsHeardOnce() throws Exception {
    assertThat(storeA.putIfAbsent(item("counter"))).isNull();
    CyclicBarrier together = new CyclicBarrier(2);
    List<CompletableFuture<Void>> racers = new ArrayList<>();
    for (WorkStore store : List.of(storeA, storeB)) {
      racers.add(CompletableFuture.runAsync(() -> {
        try {
          together.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < CHANGES_PER_NODE; i++) {
          assertThat(store.update("counter", WorkStoreTest::bump)).isNotNull();
        }
      }));
    }
    CompletableFuture.allOf(racers.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);

    int all = 2 * CHANGES_PER_NODE;
    WorkItem done = storeB.get("counter");
    assertThat(((Number) done.result()).intValue()).isEqualTo(all);
    assertThat(done.attempt()).isEqualTo(all);
    assertThat(stored(a, "counter").getLong(WorkStore.REV)).isEqualTo(all + 1L);
    // Each node's listener hears its own changes, the submission included, and together every revision once.
    assertThat(heardOnA).hasSize(CHANGES_PER_NODE + 1);
    assertThat(heardOnB).hasSize(CHANGES_PER_NODE);
    List<Long> heard = new ArrayList<>(heardOnA);
    heard.addAll(heardOnB);
    assertThat(heard).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, all + 1).boxed().toList());

    // A change that reads the clock runs once, on the owner; its backup holds what the owner stored,
    // as the survivor shows once the owner is gone.
    WorkItem renewed = storeB.update("counter", cur -> cur.renewed(System.nanoTime(), 0));
    Member owner = TestMesh.hazelcast(a).getPartitionService().getPartition("counter").getOwner();
    boolean aOwns = owner.equals(TestMesh.hazelcast(a).getCluster().getLocalMember());
    NetflowNode survivor = aOwns ? b : a;
    mesh.kill(aOwns ? a : b);
    WorkItem after = (aOwns ? storeB : storeA).get("counter");
    assertThat(after.leaseUntil()).isEqualTo(renewed.leaseUntil());
    assertThat(((Number) after.result()).intValue()).isEqualTo(all);
    assertThat(stored(survivor, "counter").getLong(WorkStore.REV)).isEqualTo(all + 2L);
  }

  /**
   * Hazelcast retries a put whose member left mid-call, and the retry finds the write it had made:
   * that is still this submission (even once claimed), while the same id submitted again is not.
   */
  @Test
  void aRetriedSubmissionFindingItsOwnWriteIsStillCreated() {
    WorkItem submitted = WorkItem.queued("s", "test-only", WorkClass.NORMAL, 60_000, 1, new JsonObject().put("i", 28),
      null, null, null, Placement.ANYWHERE, "test", 1_000);
    assertThat(storeA.putIfAbsent(submitted)).isNull();
    storeB.update("s", cur -> cur.claimedBy("node-b", "b", 1_100, 1_000));
    heardOnB.clear();

    assertThat(storeB.putIfAbsent(submitted)).as("the same submission, retried").isNull();
    assertThat(heardOnB).as("journaled as its submission").containsExactly(1L);
    assertThat(stored(a, "s").getString("state")).as("the claim kept").isEqualTo("RUNNING");

    WorkItem again = WorkItem.queued("s", "test-only", WorkClass.NORMAL, 60_000, 1, new JsonObject().put("i", 28),
      null, null, null, Placement.ANYWHERE, "test", 1_001);
    assertThat(storeB.putIfAbsent(again)).as("submitted again later").isNotNull()
      .extracting(WorkItem::state).isEqualTo(WorkState.RUNNING);
    WorkItem other = WorkItem.queued("s", "test-only", WorkClass.NORMAL, 60_000, 1, new JsonObject().put("i", 29),
      null, null, null, Placement.ANYWHERE, "test", 1_000);
    assertThat(storeB.putIfAbsent(other)).as("another payload under the same id").isNotNull();
  }

  @Test
  void aChangeLeavesAloneRefusesOrRenewsQuietlyWhereverItRuns() {
    storeA.putIfAbsent(item("x"));
    heardOnA.clear();
    for (WorkStore store : List.of(storeA, storeB)) {
      assertThat(store.update("x", cur -> null)).as("left alone").isNull();
      assertThatThrownBy(() -> store.update("x", cur -> {
        throw new MeshException(ErrorCode.NOT_CANCELLABLE, "work item x already " + cur.state());
      })).isInstanceOfSatisfying(MeshException.class, e -> {
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_CANCELLABLE);
        assertThat(e.getMessage()).isEqualTo("work item x already QUEUED");
      });
      assertThat(store.update("missing", cur -> cur.cancelling())).isNull();
    }
    assertThat(stored(b, "x").getLong(WorkStore.REV)).as("nothing stored yet").isEqualTo(1);

    // A lease renewal is stored (a new revision) but not journaled; a claim is both.
    assertThat(storeB.update("x", cur -> cur.renewed(5, 10)).leaseUntil()).isEqualTo(15);
    WorkItem claimed = storeB.update("x", cur -> cur.claimedBy("node-b", "b", 20, 1_000));
    assertThat(claimed.state()).isEqualTo(WorkState.RUNNING);
    assertThat(claimed.owner()).isEqualTo("node-b");
    assertThat(stored(a, "x").getLong(WorkStore.REV)).isEqualTo(3);
    assertThat(heardOnA).isEmpty();
    assertThat(heardOnB).containsExactly(3L);
  }

  @Test
  void restoreReplacesOnlyWithANewerRevision() {
    storeA.putIfAbsent(item("r"));
    storeA.update("r", cur -> cur.claimedBy("node-a", "a", 20, 1_000));
    long now = System.currentTimeMillis();
    JsonObject older = stored(a, "r").put(WorkStore.REV, 1L).put("state", "QUEUED");
    assertThat(storeB.restore(older, 60_000, now)).isFalse();
    assertThat(stored(b, "r").getString("state")).isEqualTo("RUNNING");

    JsonObject newer = stored(a, "r").put(WorkStore.REV, 7L).put("attempt", 4);
    assertThat(storeB.restore(newer, 60_000, now)).isTrue();
    assertThat(stored(a, "r")).isEqualTo(newer);

    JsonObject gone = item("gone").toJson().put(WorkStore.REV, 2L);
    assertThat(storeA.restore(gone, 60_000, now)).isTrue();
    assertThat(storeB.get("gone")).isNotNull();
    JsonObject longFinished = item("old").finished(WorkState.SUCCEEDED, "ok", null, now - 120_000).toJson()
      .put(WorkStore.REV, 3L);
    assertThat(storeA.restore(longFinished, 60_000, now)).as("past its retention").isFalse();
    assertThat(storeB.get("old")).isNull();
    JsonObject recent = item("recent").finished(WorkState.SUCCEEDED, "ok", null, now - 10_000).toJson()
      .put(WorkStore.REV, 3L);
    assertThat(storeA.restore(recent, 60_000, now)).isTrue();
    assertThat(TestMesh.hazelcast(b).getMap(WorkStore.MAP).getEntryView("recent").getTtl())
      .as("kept for what remains of its retention").isEqualTo(50_000);
  }
}
