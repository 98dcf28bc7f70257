package io.netflow.scheduling;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Accepted work survives a restart of the whole mesh from the nodes' own disks, each item at its latest state. */
class WorkDurabilityTest {

  @Test
  void acceptedWorkComesBackAfterEveryNodeDiesAndFinishedWorkIsNotRunAgain() throws Exception {
    Path disks = Files.createTempDirectory("netflow-work");
    AtomicInteger runs = new AtomicInteger();
    try (TestMesh first = new TestMesh(disks)) {
      NetflowNode a = first.start("a");
      NetflowNode b = first.start("b");
      oneDoneAndFiveQueued(a, b, runs);
      // Every node dies at once, as in a power cut: nothing is handed over.
      first.kill(b);
      first.kill(a);
    }
    assertThat(runs.get()).isEqualTo(1);

    try (TestMesh again = new TestMesh(disks)) {
      NetflowNode a = again.start("a");
      NetflowNode b = again.start("b");
      AtomicInteger rerunsOfDone = new AtomicInteger();
      for (NetflowNode n : java.util.List.of(a, b)) {
        n.scheduler().handle("replay", w -> {
          rerunsOfDone.incrementAndGet();
          return Future.succeededFuture(null);
        });
        n.scheduler().handle("later", w -> Future.succeededFuture(new JsonObject().put("ranAfterRestart", true)));
      }
      for (int i = 0; i < 5; i++) {
        awaitState(a, "queued-" + i, WorkState.SUCCEEDED);
        assertThat(join(a.scheduler().status("queued-" + i)).getJsonObject("result").getBoolean("ranAfterRestart")).isTrue();
      }
      JsonObject done = join(b.scheduler().status("done"));
      assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
      assertThat(done.getInteger("attempt")).isEqualTo(1);
      assertThat(done.getJsonObject("result").getString("ran")).isEqualTo("done");
      assertThat(rerunsOfDone.get()).isZero();
    }
  }

  /**
   * A split cluster's merge hands the merging side's map entries over at best effort and can drop
   * them. A node whose side merged puts back what its journal holds that the map lacks: queued work
   * runs, and finished work comes back finished, not run again.
   */
  @Test
  void workAMergeDroppedComesBackFromTheJournalsAndRuns() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (TestMesh mesh = new TestMesh(Files.createTempDirectory("netflow-work-merge"))) {
      NetflowNode a = mesh.start("a");
      NetflowNode b = mesh.start("b");
      oneDoneAndFiveQueued(a, b, runs);
      // What the hand-over dropped: the whole queue.
      TestMesh.hazelcast(a).getMap(io.netflow.scheduling.impl.WorkStore.MAP).clear();
      assertThat(join(a.scheduler().status("queued-0").otherwiseEmpty())).as("lost from the map").isNull();

      TestMesh.mergedIntoOtherSide(b);
      a.scheduler().handle("later", w -> Future.succeededFuture(new JsonObject().put("ranAfterMerge", true)));
      for (int i = 0; i < 5; i++) {
        awaitState(a, "queued-" + i, WorkState.SUCCEEDED);
      }
      JsonObject done = join(a.scheduler().status("done"));
      assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
      assertThat(runs.get()).as("finished work is not run again").isEqualTo(1);
    }
  }

  /** Through b: "done", run on a (counted in {@code runs}) to SUCCEEDED, and "queued-0..4" of a kind no node runs yet. */
  private static void oneDoneAndFiveQueued(NetflowNode a, NetflowNode b, AtomicInteger runs) throws Exception {
    a.scheduler().handle("replay", w -> {
      runs.incrementAndGet();
      return Future.succeededFuture(new JsonObject().put("ran", w.item().id()));
    });
    join(b.scheduler().submit(new JsonObject().put("id", "done").put("kind", "replay"), "test"));
    awaitState(b, "done", WorkState.SUCCEEDED);
    // No node runs "later" kinds: these stay queued, as a backlog would.
    for (int i = 0; i < 5; i++) {
      join(b.scheduler().submit(new JsonObject().put("id", "queued-" + i).put("kind", "later"), "test"));
    }
  }

  private static void awaitState(NetflowNode node, String id, WorkState state) throws InterruptedException {
    TestMesh.await(Duration.ofSeconds(20), id + " " + state, () -> {
      try {
        return state.name().equals(join(node.scheduler().status(id)).getString("state"));
      } catch (Exception e) {
        return false;
      }
    });
  }
}
