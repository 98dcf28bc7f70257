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
