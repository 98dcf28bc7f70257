package io.netflow.scheduling;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.netflow.scheduling.impl.Deliver;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deferred work on real clustered nodes: leases, order, quiet windows, placement, cancel. */
class SchedulingTest {

  private TestMesh mesh;

  @BeforeEach
  void create() {
    mesh = new TestMesh();
  }

  @AfterEach
  void close() throws Exception {
    mesh.close();
  }

  private static JsonObject work(String id, String kind, String workClass) {
    return new JsonObject().put("id", id).put("kind", kind).put("class", workClass);
  }

  private static JsonObject status(NetflowNode node, String id) throws Exception {
    return join(node.scheduler().status(id));
  }

  private static void awaitState(NetflowNode node, String id, WorkState state) throws Exception {
    TestMesh.await(Duration.ofSeconds(20), id + " " + state, () -> {
      try {
        return state.name().equals(status(node, id).getString("state"));
      } catch (Exception e) {
        return false;
      }
    });
  }

  @Test
  void aClaimIsRenewedWhileItRunsAndReclaimedWhenItsNodeIsKilled() throws Exception {
    NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.WORK_LEASE, 600L));
    NetflowNode b = mesh.start("b", cfg -> cfg.set(NodeKeys.WORK_LEASE, 600L));
    AtomicInteger startedOnA = new AtomicInteger();
    a.scheduler().handle("train", w -> {
      startedOnA.incrementAndGet();
      return Promise.<Object>promise().future(); // hangs until its node dies
    });
    join(b.scheduler().submit(work("w1", "train", "NORMAL").put("payload", new JsonObject().put("batch", 1)), "test"));
    awaitState(b, "w1", WorkState.RUNNING);
    JsonObject first = status(b, "w1");
    assertThat(first.getString("owner")).isEqualTo(a.nodeId());
    assertThat(first.getInteger("attempt")).isEqualTo(1);

    // Three lease lengths later it is still a's first attempt: the lease was renewed, not lost.
    Thread.sleep(1_800);
    JsonObject renewed = status(b, "w1");
    assertThat(renewed.getString("owner")).isEqualTo(a.nodeId());
    assertThat(renewed.getInteger("attempt")).isEqualTo(1);
    assertThat(renewed.getLong("leaseUntil")).isGreaterThan(first.getLong("leaseUntil") + 1_000);
    assertThat(startedOnA.get()).isEqualTo(1);

    List<Integer> attemptsOnB = new CopyOnWriteArrayList<>();
    b.scheduler().handle("train", w -> {
      attemptsOnB.add(w.attempt());
      return Future.succeededFuture(new JsonObject().put("trainedOn", "b").put("batch",
        ((JsonObject) w.item().payload()).getInteger("batch")));
    });
    mesh.kill(a);
    awaitState(b, "w1", WorkState.SUCCEEDED);
    JsonObject done = status(b, "w1");
    assertThat(done.getString("owner")).isEqualTo(b.nodeId());
    assertThat(done.getInteger("attempt")).isEqualTo(2);
    assertThat(done.getJsonObject("result")).isEqualTo(new JsonObject().put("trainedOn", "b").put("batch", 1));
    assertThat(attemptsOnB).containsExactly(2);
  }

  @Test
  void anIdleMeshPollsLessAndAHintStillStartsWorkAtOnce() throws Exception {
    NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.WORK_POLL, 100L));
    a.scheduler().handle("job", w -> Future.succeededFuture("ok"));
    double before = polls(a);
    Thread.sleep(3_000);
    // 30 ticks of 100 ms: every one would poll; nothing waits, so after a few it looks every 8th.
    assertThat(polls(a) - before).isLessThan(12);
    join(a.scheduler().submit(work("now", "job", "NORMAL"), "test"));
    awaitState(a, "now", WorkState.SUCCEEDED);
  }

  private static double polls(NetflowNode n) {
    return n.registry().get("netflow.work.polls").counter().count();
  }

  @Test
  void realtimeRunsFirstThenEarliestDeadlineFirst() throws Exception {
    NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.WORK_CONCURRENCY, 1));
    List<String> order = new CopyOnWriteArrayList<>();
    Promise<Object> blocker = Promise.promise();
    a.scheduler().handle("job", w -> {
      order.add(w.item().id());
      return w.item().id().equals("blocker") ? blocker.future() : Future.succeededFuture("ok");
    });
    join(a.scheduler().submit(work("blocker", "job", "NORMAL"), "test"));
    awaitState(a, "blocker", WorkState.RUNNING);
    join(a.scheduler().submit(work("bulk-1", "job", "BULK").put("deadlineInMs", 50_000), "test"));
    join(a.scheduler().submit(work("normal-late", "job", "NORMAL").put("deadlineInMs", 40_000), "test"));
    join(a.scheduler().submit(work("normal-soon", "job", "NORMAL").put("deadlineInMs", 20_000), "test"));
    join(a.scheduler().submit(work("realtime", "job", "REALTIME").put("deadlineInMs", 60_000), "test"));
    join(a.scheduler().submit(work("bulk-0", "job", "BULK").put("deadlineInMs", 30_000), "test"));
    Thread.sleep(300);
    blocker.complete("done");
    awaitState(a, "bulk-1", WorkState.SUCCEEDED);
    assertThat(order).containsExactly("blocker", "realtime", "normal-soon", "normal-late", "bulk-0", "bulk-1");
  }

  @Test
  void bulkWaitsWhileGameplayIsBusyAndRunsWhenItIsQuiet() throws Exception {
    NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.WORK_QUIET_FLOOR, 20.0));
    NetflowNode b = mesh.start("b", cfg -> cfg.set(NodeKeys.WORK_QUIET_FLOOR, 20.0));
    join(b.mesh().host("match", e -> Future.succeededFuture(Buffer.buffer("ok"))));
    mesh.awaitHosts("match", 1);
    List<String> ran = new CopyOnWriteArrayList<>();
    for (NetflowNode n : List.of(a, b)) {
      n.scheduler().handle("sync", w -> {
        ran.add(w.item().id());
        return Future.succeededFuture("synced");
      });
      n.scheduler().handle("sync-due", w -> Future.succeededFuture("synced"));
    }
    // Gameplay: ~300 CRITICAL requests per second, far above the quiet floor, until told to stop.
    AtomicBoolean playing = new AtomicBoolean(true);
    Thread players = new Thread(() -> {
      long end = System.currentTimeMillis() + 20_000;
      while (playing.get() && System.currentTimeMillis() < end) {
        a.mesh().request(Envelope.toService("match").priority(Priority.CRITICAL).payload("move").build());
        try {
          Thread.sleep(3);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    players.start();
    try {
      TestMesh.await(Duration.ofSeconds(5), "every node to see gameplay",
        () -> a.meshLoad().rate() > 100 && b.meshLoad().rate() > 100);
      join(a.scheduler().submit(work("bulk", "sync", "BULK").put("deadlineInMs", 600_000), "test"));
      join(a.scheduler().submit(work("normal", "sync", "NORMAL"), "test"));
      awaitState(a, "normal", WorkState.SUCCEEDED);
      // BULK whose deadline is within scheduling.bulk-urgency-ms (60 s) runs even while busy. The polls
      // that found it found the other BULK item too, and left it: still queued once this one is done.
      join(a.scheduler().submit(work("bulk-due", "sync-due", "BULK").put("deadlineInMs", 30_000), "test"));
      awaitState(a, "bulk-due", WorkState.SUCCEEDED);
      assertThat(status(a, "bulk").getString("state")).as("BULK while busy").isEqualTo("QUEUED");
    } finally {
      playing.set(false);
      players.join();
    }
    awaitState(a, "bulk", WorkState.SUCCEEDED);
    assertThat(ran).containsExactly("normal", "bulk");
  }

  @Test
  void workRunsOnlyWhereItsConstraintsAllow() throws Exception {
    NetflowNode cloud = mesh.start("cloud", cfg -> cfg.set(NodeKeys.NODE_ROLE, "cloud").set(NodeKeys.NODE_REGION, "eu"));
    NetflowNode edge = mesh.start("edge", cfg -> cfg.set(NodeKeys.NODE_ROLE, "edge").set(NodeKeys.NODE_REGION, "us"));
    for (NetflowNode n : List.of(cloud, edge)) {
      n.scheduler().handle("infer", w -> Future.succeededFuture(n.name()));
    }
    // Queued first: every poll that ran the others below saw it, and left it.
    join(cloud.scheduler().submit(work("needs-model", "infer", "NORMAL")
      .put("constraints", new JsonObject().put("model", "ranker/v9")), "test"));
    for (int i = 0; i < 4; i++) {
      join(edge.scheduler().submit(work("cloud-" + i, "infer", "NORMAL")
        .put("constraints", new JsonObject().put("role", "cloud")), "test"));
      join(cloud.scheduler().submit(work("us-" + i, "infer", "NORMAL")
        .put("constraints", new JsonObject().put("region", "us")), "test"));
    }
    for (int i = 0; i < 4; i++) {
      awaitState(cloud, "cloud-" + i, WorkState.SUCCEEDED);
      awaitState(cloud, "us-" + i, WorkState.SUCCEEDED);
      assertThat(status(cloud, "cloud-" + i).getString("result")).isEqualTo("cloud");
      assertThat(status(cloud, "us-" + i).getString("result")).isEqualTo("edge");
    }
    assertThat(status(edge, "needs-model").getString("state")).as("no node runs ranker/v9").isEqualTo("QUEUED");
  }

  @Test
  void cancelStopsQueuedAndRunningWorkAndRefusesFinishedWork() throws Exception {
    NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.WORK_LEASE, 600L));
    AtomicBoolean sawCancel = new AtomicBoolean();
    a.scheduler().handle("long", w -> {
      Promise<Object> p = Promise.promise();
      long timer = a.vertx().setPeriodic(50, id -> {
        if (w.cancelled()) {
          sawCancel.set(true);
          p.tryFail("stopped");
        }
      });
      return p.future().onComplete(ar -> a.vertx().cancelTimer(timer));
    });
    a.scheduler().handle("quick", w -> Future.succeededFuture("done"));
    join(a.scheduler().submit(work("running", "long", "NORMAL"), "test"));
    awaitState(a, "running", WorkState.RUNNING);
    JsonObject cancelling = join(a.scheduler().cancel("running"));
    assertThat(cancelling.getBoolean("cancelRequested")).isTrue();
    awaitState(a, "running", WorkState.CANCELLED);
    assertThat(sawCancel).isTrue();

    join(a.scheduler().submit(work("queued", "nobody-runs-this", "NORMAL"), "test"));
    assertThat(join(a.scheduler().cancel("queued")).getString("state")).isEqualTo("CANCELLED");

    join(a.scheduler().submit(work("quick", "quick", "NORMAL"), "test"));
    awaitState(a, "quick", WorkState.SUCCEEDED);
    assertThatThrownBy(() -> join(a.scheduler().cancel("quick")))
      .hasCauseInstanceOf(MeshException.class).cause().satisfies(e ->
        assertThat(((MeshException) e).code()).isEqualTo(ErrorCode.NOT_CANCELLABLE));
    assertThatThrownBy(() -> join(a.scheduler().cancel("never-submitted"))).cause().satisfies(e ->
      assertThat(((MeshException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void theQueueAndResultLimitsHoldWithoutLosingWhatWasAccepted() throws Exception {
    NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.WORK_QUEUED, 2).set(NodeKeys.WORK_RESULT, 100)
      .set(NodeKeys.WORK_ATTEMPTS, 1));
    join(a.scheduler().submit(work("q1", "nobody-runs-this", "BULK"), "test"));
    join(a.scheduler().submit(work("q2", "nobody-runs-this", "BULK"), "test"));
    assertThatThrownBy(() -> join(a.scheduler().submit(work("q3", "nobody-runs-this", "BULK"), "test")))
      .cause().satisfies(e -> {
        assertThat(((MeshException) e).code()).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(((MeshException) e).retryAfterMs()).isPositive();
      });
    assertThat(status(a, "q1").getString("state")).isEqualTo("QUEUED");
    assertThat(status(a, "q2").getString("state")).isEqualTo("QUEUED");
    assertThatThrownBy(() -> status(a, "q3")).cause().satisfies(e ->
      assertThat(((MeshException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    join(a.scheduler().cancel("q1"));
    // q1 is kept (finished) but no longer counts against the limit.
    join(a.scheduler().submit(work("q4", "nobody-runs-this", "BULK"), "test"));
    assertThat(status(a, "q4").getString("state")).isEqualTo("QUEUED");
    join(a.scheduler().cancel("q4"));

    a.scheduler().handle("chatty", w -> Future.succeededFuture("x".repeat(500)));
    join(a.scheduler().submit(work("big", "chatty", "NORMAL"), "test"));
    awaitState(a, "big", WorkState.FAILED);
    assertThat(status(a, "big").getString("error")).contains("scheduling.max-result-bytes");
    assertThat(status(a, "big").containsKey("result")).isFalse();
  }

  @Test
  void failedAttemptsAreRetriedThenTheItemFails() throws Exception {
    NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.WORK_ATTEMPTS, 3).set(NodeKeys.WORK_BACKOFF, 400L));
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    List<Long> at = new CopyOnWriteArrayList<>();
    a.scheduler().handle("flaky", w -> {
      attempts.add(w.attempt());
      at.add(System.nanoTime() / 1_000_000);
      return Future.failedFuture("disk full");
    });
    join(a.scheduler().submit(work("f", "flaky", "NORMAL"), "test"));
    awaitState(a, "f", WorkState.FAILED);
    assertThat(attempts).containsExactly(1, 2, 3);
    // Each retry waits out its backoff: 400 ms, then 800 ms.
    assertThat(at.get(1) - at.get(0)).isGreaterThanOrEqualTo(400);
    assertThat(at.get(2) - at.get(1)).isGreaterThanOrEqualTo(800);
    assertThat(status(a, "f").getString("error")).contains("disk full");
  }

  @Test
  void deliverSendsThePayloadToAServiceAndTheBusSubmits() throws Exception {
    NetflowNode a = mesh.start("a");
    NetflowNode b = mesh.start("b");
    List<String> workIds = new CopyOnWriteArrayList<>();
    join(b.mesh().host("telemetry-sink", e -> {
      workIds.add(e.headers().get(Deliver.WORK_ID) + " " + e.id());
      return Future.succeededFuture(Buffer.buffer("stored " + e.payload()));
    }));
    mesh.awaitHosts("telemetry-sink", 1);
    JsonObject request = work("d1", "deliver", "BULK").put("service", "telemetry-sink")
      .put("payload", new JsonObject().put("fps", 60));
    JsonObject queued = (JsonObject) join(a.vertx().eventBus().request(WorkAddresses.WORK_SUBMIT, request)).body();
    assertThat(queued.getBoolean("created")).isTrue();
    JsonObject again = (JsonObject) join(a.vertx().eventBus().request(WorkAddresses.WORK_SUBMIT, request)).body();
    assertThat(again.getBoolean("created")).as("the same id is one item").isFalse();
    awaitState(a, "d1", WorkState.SUCCEEDED);
    JsonObject result = status(a, "d1").getJsonObject("result");
    assertThat(result.getString("node")).isEqualTo(b.nodeId());
    assertThat(result.getString("reply")).isEqualTo("stored {\"fps\":60}");
    // The receiver learns which item a delivery comes from, the same on every attempt.
    assertThat(workIds).containsExactly("d1 d1#1");

    // Or published on a topic, to every subscriber.
    List<String> published = new CopyOnWriteArrayList<>();
    join(b.mesh().subscribe("replays", e -> published.add(e.headers().get(Deliver.WORK_ID) + " " + e.payload())));
    mesh.awaitSubscribers("replays", 1);
    join(a.scheduler().submit(work("d2", "deliver", "NORMAL").put("topic", "replays").put("payload", "r-7"), "test"));
    awaitState(a, "d2", WorkState.SUCCEEDED);
    assertThat(published).containsExactly("d2 \"r-7\"");
    assertThat(status(a, "d2").getJsonObject("result")).isEqualTo(new JsonObject().put("topic", "replays").put("nodes", 1));
    // A publication nobody would receive is not done: it fails (and is retried), never SUCCEEDED.
    join(a.scheduler().submit(work("d4", "deliver", "NORMAL").put("topic", "nobody-listens"), "test"));
    awaitState(a, "d4", WorkState.FAILED);
    assertThat(status(a, "d4").getString("error")).contains("nobody subscribes to 'nobody-listens'");
    // A delivery names exactly one of service and topic.
    assertThatThrownBy(() -> join(a.scheduler().submit(work("d3", "deliver", "NORMAL").put("topic", "replays")
      .put("service", "telemetry-sink"), "test"))).cause().satisfies(e ->
        assertThat(((MeshException) e).code()).isEqualTo(ErrorCode.MALFORMED));

    assertThatThrownBy(() -> join(a.vertx().eventBus().request(WorkAddresses.WORK_SUBMIT,
      new JsonObject().put("kind", "deliver")))).cause().satisfies(e ->
        assertThat(((ReplyException) e).failureCode()).isEqualTo(ErrorCode.MALFORMED.code()));
    assertThatThrownBy(() -> join(a.vertx().eventBus().request(WorkAddresses.WORK_STATUS, new JsonObject().put("id", "nope"))))
      .cause().satisfies(e -> assertThat(((ReplyException) e).failureCode()).isEqualTo(ErrorCode.NOT_FOUND.code()));
  }
}
