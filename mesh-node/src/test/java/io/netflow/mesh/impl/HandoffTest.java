package io.netflow.mesh.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Work handed between two event loops in batches: run there in order, answered here, whatever its callbacks do. */
class HandoffTest {

  private Vertx vertx;
  private Context source;
  private Context target;
  private Thread sourceThread;
  private Thread targetThread;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    source = contextOnItsOwnLoop();
    target = contextOnItsOwnLoop();
    sourceThread = threadOf(source);
    targetThread = threadOf(target);
    assertThat(sourceThread).isNotEqualTo(targetThread);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void workRunsOnTheTargetInOrderAndEveryAnswerReachesTheSourceThoughACallbackThrows() throws Exception {
    Handoff handoff = new Handoff(source, target);
    List<Integer> ran = new CopyOnWriteArrayList<>();
    List<Thread> ranOn = new CopyOnWriteArrayList<>();
    List<Thread> answeredOn = new CopyOnWriteArrayList<>();
    CompletableFuture<Integer> last = new CompletableFuture<>();
    source.runOnContext(v -> {
      for (int i = 0; i < 5; i++) {
        int n = i;
        Future<Integer> f = handoff.run(() -> {
          ran.add(n);
          ranOn.add(Thread.currentThread());
          return Future.succeededFuture(n);
        });
        f.onSuccess(x -> {
          answeredOn.add(Thread.currentThread());
          if (x == 1) {
            throw new IllegalStateException("a caller's callback fails");
          }
          if (x == 4) {
            last.complete(x);
          }
        });
      }
    });
    assertThat(last.get(5, TimeUnit.SECONDS)).isEqualTo(4);
    assertThat(ran).containsExactly(0, 1, 2, 3, 4);
    assertThat(ranOn).containsOnly(targetThread);
    assertThat(answeredOn).hasSize(5).containsOnly(sourceThread);
  }

  @Test
  void workAnsweredFromAnotherThreadIsStillAnsweredOnTheSourceLoop() throws Exception {
    for (Handoff handoff : List.of(new Handoff(source, target), new Handoff(source, source))) {
      CompletableFuture<Thread> answeredOn = new CompletableFuture<>();
      source.runOnContext(v -> handoff.<String>run(() -> {
        Promise<String> p = Promise.promise();
        new Thread(() -> p.complete("done"), "a-worker").start();
        return p.future();
      }).onSuccess(x -> answeredOn.complete(Thread.currentThread())));
      assertThat(answeredOn.get(5, TimeUnit.SECONDS)).isEqualTo(sourceThread);
    }
  }

  /** A new event-loop context: asked from a thread of its own, Vert.x makes one on the next loop. */
  private Context contextOnItsOwnLoop() throws Exception {
    CompletableFuture<Context> made = new CompletableFuture<>();
    new Thread(() -> made.complete(vertx.getOrCreateContext())).start();
    return made.get(5, TimeUnit.SECONDS);
  }

  private static Thread threadOf(Context context) throws Exception {
    CompletableFuture<Thread> t = new CompletableFuture<>();
    context.runOnContext(v -> t.complete(Thread.currentThread()));
    return t.get(5, TimeUnit.SECONDS);
  }
}
