package io.netflow.mesh.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.NodeState;
import io.netflow.gateway.protocol.Priority;
import io.netflow.gateway.protocol.Role;
import io.netflow.load.LoadSample;
import io.netflow.load.TrafficLoad;
import io.netflow.membership.LoadReport;
import io.netflow.membership.MeshView;
import io.netflow.membership.NodeDescriptor;
import io.netflow.mesh.MeshOptions;
import io.netflow.mesh.Reply;
import io.netflow.routing.Router;
import io.netflow.routing.RoutingOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A CRITICAL request whose node did not answer within an attempt may still be applied there (a
 * busy machine: {@code ClientFailoverIT} saw a core take an action 0.7 s after it was sent and
 * answer past the 1 s attempt, and the edge's reroute applied it a second time). Before it goes
 * elsewhere, that node is asked for what it did, and fenced: an answer it has is the answer; an id
 * it never had is refused there from then on, so a copy arriving late is not applied too. A
 * client's copy fences every host it asks the same way, and only the copy the mesh routes on, which
 * carries the fence's pass, gets through.
 */
class TimedOutAttemptTest {

  private final Vertx vertx = Vertx.vertx();
  private MeshView view;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Routing over three hosts of "moves", s1 to s3, with this transport and recall. */
  private Requests requests(Requests.Transport transport, Requests.Recall recall) {
    view = new MeshView("self", 2_000);
    for (String h : List.of("s1", "s2", "s3")) {
      NodeDescriptor n = new NodeDescriptor(h, h, Role.EDGE, "local", 1.0, "http://127.0.0.1:1", 1024, 1024, 0);
      view.accept(new LoadReport(n, 1, System.currentTimeMillis(), NodeState.UP, new LoadSample(0.1, 10, 100, 0),
        new TrafficLoad(List.of("moves"), 0, 0, 100, false, new JsonObject(), new JsonObject())));
    }
    return new Requests(vertx, new MeshOptions(), new Router(view, new RoutingOptions(), "local"), transport, recall,
      id -> id, new SimpleMeterRegistry());
  }

  /** Runs {@code call} on an event loop; its outcome. */
  private <T> T on(Supplier<Future<T>> call) throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        out.complete(ar.result());
      } else {
        out.completeExceptionally(ar.cause());
      }
    }));
    return out.get(10, TimeUnit.SECONDS);
  }

  private static Envelope move(String id) {
    return Envelope.toService("moves").id(id).priority(Priority.CRITICAL).timeoutMillis(5_000).payload("jump").build();
  }

  /** The first attempt times out; every later one is answered by its node. */
  private static Requests.Transport firstTimesOut(List<String> sentTo) {
    return (node, e) -> {
      sentTo.add(node);
      return sentTo.size() == 1 ? Future.failedFuture(new MeshException(ErrorCode.TIMEOUT, "no answer in time"))
        : Future.succeededFuture(Buffer.buffer(node + " took " + e.id()));
    };
  }

  @Test
  void aTimedOutRequestItsNodeAppliedLateIsAnsweredFromThatNodesMemoryNotSentOn() throws Exception {
    List<String> sentTo = new CopyOnWriteArrayList<>();
    List<String> fencedAt = new CopyOnWriteArrayList<>();
    Requests requests = requests(firstTimesOut(sentTo), (node, id, timeoutMs, fence) -> {
      if (fence != null) {
        fencedAt.add(node);
      }
      return Future.succeededFuture(Buffer.buffer(node + " took " + id + " late"));
    });

    Reply reply = on(() -> requests.request(move("action-139")));

    assertThat(sentTo).as("sent once, never on to another node").hasSize(1);
    assertThat(fencedAt).as("its node asked, with a fence").containsExactly(sentTo.get(0));
    assertThat(reply.body().toString()).isEqualTo(sentTo.get(0) + " took action-139 late");
  }

  @Test
  void aTimedOutRequestItsNodeNeverHadGoesOnToAnotherNode() throws Exception {
    List<String> sentTo = new CopyOnWriteArrayList<>();
    Requests requests = requests(firstTimesOut(sentTo), (node, id, timeoutMs, fence) ->
      Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "not remembered here")));

    Reply reply = on(() -> requests.request(move("action-140")));

    assertThat(sentTo).hasSize(2).doesNotHaveDuplicates();
    assertThat(reply.nodeId()).isEqualTo(sentTo.get(1));
  }

  @Test
  void aTimedOutRequestToANodeKnownGoneGoesOnWithoutAsking() throws Exception {
    List<String> sentTo = new CopyOnWriteArrayList<>();
    List<String> asked = new CopyOnWriteArrayList<>();
    Requests requests = requests((node, e) -> {
      sentTo.add(node);
      if (sentTo.size() == 1) {
        view.markUnreachable(node);
        return Future.failedFuture(new MeshException(ErrorCode.TIMEOUT, "no answer in time"));
      }
      return Future.succeededFuture(Buffer.buffer(node + " took " + e.id()));
    }, (node, id, timeoutMs, fence) -> {
      asked.add(node);
      return Future.succeededFuture(Buffer.buffer("remembered"));
    });

    Reply reply = on(() -> requests.request(move("after-a-kill")));

    assertThat(asked).as("a process gone has nothing to say").isEmpty();
    assertThat(reply.nodeId()).isEqualTo(sentTo.get(1));
  }

  /** NORMAL and MODEL requests are not remembered by nodes (BULK is never rerouted): they are not asked back. */
  @Test
  void onlyRequestsNodesRememberAreAskedBack() throws Exception {
    for (Priority p : List.of(Priority.NORMAL, Priority.MODEL)) {
      List<String> sentTo = new CopyOnWriteArrayList<>();
      List<String> asked = new CopyOnWriteArrayList<>();
      Requests requests = requests(firstTimesOut(sentTo), (node, id, timeoutMs, fence) -> {
        asked.add(node);
        return Future.succeededFuture(Buffer.buffer("remembered"));
      });
      Envelope e = Envelope.toService("moves").priority(p).timeoutMillis(5_000).payload("x").build();
      on(() -> requests.request(e));
      assertThat(asked).as(p + " asked back").isEmpty();
      assertThat(sentTo).as(p + " sent on").hasSize(2);
    }
  }

  /**
   * A client's copy no host answers from memory goes first to the host that left the question
   * unanswered (on a busy machine, one that had applied the first copy did): the copy meets its
   * memory there. Only if that host fails does it go to one that said it never had it.
   */
  @Test
  void aCopyGoesFirstToTheHostThatDidNotAnswerWhetherItRemembersIt() throws Exception {
    for (int i = 0; i < 20; i++) {
      List<String> sentTo = new CopyOnWriteArrayList<>();
      Requests requests = requests((node, e) -> {
        sentTo.add(node);
        return Future.succeededFuture(Buffer.buffer(node + " took " + e.id()));
      }, (node, id, timeoutMs, fence) -> Future.failedFuture(node.equals("s2")
        ? new MeshException(ErrorCode.TIMEOUT, "no answer in time") : new MeshException(ErrorCode.NOT_FOUND, "not kept")));
      Reply reply = on(() -> requests.resend(move("action-72")));
      assertThat(sentTo).containsExactly("s2");
      assertThat(reply.nodeId()).isEqualTo("s2");
    }
    List<String> sentTo = new CopyOnWriteArrayList<>();
    Requests requests = requests((node, e) -> {
      sentTo.add(node);
      return node.equals("s2") ? Future.failedFuture(new MeshException(ErrorCode.DRAINING, "draining"))
        : Future.succeededFuture(Buffer.buffer(node + " took " + e.id()));
    }, (node, id, timeoutMs, fence) -> Future.failedFuture(node.equals("s2")
      ? new MeshException(ErrorCode.TIMEOUT, "no answer in time") : new MeshException(ErrorCode.NOT_FOUND, "not kept")));
    on(() -> requests.resend(move("action-73")));
    assertThat(sentTo).as("then on to a host that forgot it").hasSize(2).startsWith("s2");
  }

  /**
   * A client's copy, sent through another edge while the first copy is still on its way to a host
   * (from an edge that was killed; {@code ClientFailoverIT} on CI): every host asked is fenced, the
   * copy is applied where it is routed, and the first copy, landing late on another host, is refused
   * there. Without the fence on the copy's questions, that host applied the action a second time.
   */
  @Test
  void aFirstCopyLandingAfterTheClientsCopyWasAppliedElsewhereIsRefused() throws Exception {
    Map<String, Inbox> hosts = new HashMap<>();
    Map<String, AtomicInteger> applied = new ConcurrentHashMap<>();
    for (String h : List.of("s1", "s2", "s3")) {
      Inbox inbox = new Inbox(vertx, new MeshOptions(), new SimpleMeterRegistry());
      inbox.host("moves", e -> {
        applied.computeIfAbsent(e.id(), id -> new AtomicInteger()).incrementAndGet();
        assertThat(e.headers()).as("the pass is the mesh's, not the service's").doesNotContainKey(Fence.PASS_HEADER);
        return Future.succeededFuture(Buffer.buffer(h + " took " + e.id()));
      });
      hosts.put(h, inbox);
    }
    List<Fence> fences = new CopyOnWriteArrayList<>();
    Requests requests = requests((node, e) -> hosts.get(node).handle(e), (node, id, timeoutMs, fence) -> {
      fences.add(fence);
      return hosts.get(node).recall(id, fence);
    });

    for (int i = 0; i < 6; i++) {
      String id = "action-71-" + i;
      Reply copy = on(() -> requests.resend(move(id)));

      // The first copy lands now: on the host that applied the client's copy, or on another.
      String elsewhere = List.of("s1", "s2", "s3").get((List.of("s1", "s2", "s3").indexOf(copy.nodeId()) + 1 + i % 2) % 3);
      assertThat(refusal(hosts.get(elsewhere), move(id))).isEqualTo(ErrorCode.NO_HANDLERS);
      assertThat(on(() -> hosts.get(copy.nodeId()).handle(move(id))).toString())
        .as("where the copy was applied, the first copy is answered from memory").isEqualTo(copy.body().toString());
      assertThat(applied.get(id)).as(id + " applied once").hasValue(1);
      assertThat(fences).as("every host asked, all with one fence").hasSize(3 * (i + 1)).doesNotContainNull();
      assertThat(fences.subList(3 * i, 3 * i + 3)).containsOnly(fences.get(3 * i));
    }
  }

  /**
   * Two copies in flight at once (a client that sent again through two edges): each asks every
   * host, and the questions reach the hosts in different orders. Every host keeps the same fence
   * (the greater pass), so one copy gets through and the other is refused everywhere; had each kept
   * the last one it was asked with, each copy would have been applied on one host.
   */
  @Test
  void twoCopiesInFlightAtOnceAreLetThroughTheSameOneEverywhere() throws Exception {
    AtomicInteger applied = new AtomicInteger();
    Inbox a = hostingMoves(new SimpleMeterRegistry(), applied);
    Inbox b = hostingMoves(new SimpleMeterRegistry(), applied);
    long until = System.currentTimeMillis() + 5_000;
    Fence second = Fence.open(until);
    Fence third = Fence.open(until);
    Fence winner = second.pass().compareTo(third.pass()) > 0 ? second : third;
    Fence loser = winner == second ? third : second;
    assertThat(notRemembered(a, "action-9", second)).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(notRemembered(a, "action-9", third)).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(notRemembered(b, "action-9", third)).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(notRemembered(b, "action-9", second)).isEqualTo(ErrorCode.NOT_FOUND);

    for (Inbox host : List.of(a, b)) {
      assertThat(refusal(host, loser.admit(move("action-9")))).isEqualTo(ErrorCode.NO_HANDLERS);
      assertThat(refusal(host, move("action-9"))).as("the first copy").isEqualTo(ErrorCode.NO_HANDLERS);
    }
    assertThat(on(() -> b.handle(winner.admit(move("action-9")))).toString()).isEqualTo("ok action-9");
    assertThat(refusal(a, loser.admit(move("action-9")))).isEqualTo(ErrorCode.NO_HANDLERS);
    assertThat(applied).hasValue(1);
  }

  /**
   * A client's copy whose attempt timed out: its node is fenced closed, since the copy on its way
   * there carries the pass its open fence lets through. Closed wins over open, whatever the order.
   */
  @Test
  void aClosedFenceRefusesEvenTheCopyAnOpenOneLetsThrough() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger applied = new AtomicInteger();
    Inbox inbox = hostingMoves(registry, applied);
    long until = System.currentTimeMillis() + 5_000;
    Fence open = Fence.open(until);
    assertThat(notRemembered(inbox, "action-10", open)).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(notRemembered(inbox, "action-10", Fence.closed(until))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(notRemembered(inbox, "action-10", Fence.open(until))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(refusal(inbox, open.admit(move("action-10")))).isEqualTo(ErrorCode.NO_HANDLERS);
    assertThat(applied).hasValue(0);
    assertThat(registry.get("netflow.inbox.fenced").counter().count()).as("one id fenced").isEqualTo(1);
    assertThat(registry.get("netflow.inbox.fenced.refused").counter().count()).isEqualTo(1);
  }

  /** A timed-out attempt fences its node closed, not with the pass the request may carry. */
  @Test
  void aTimedOutAttemptFencesItsNodeClosed() throws Exception {
    List<Fence> fences = new CopyOnWriteArrayList<>();
    List<String> sentTo = new CopyOnWriteArrayList<>();
    Requests requests = requests(firstTimesOut(sentTo), (node, id, timeoutMs, fence) -> {
      fences.add(fence);
      return Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "not remembered here"));
    });
    on(() -> requests.request(move("action-11")));
    assertThat(fences).hasSize(1);
    assertThat(fences.get(0).isOpen()).isFalse();
  }

  /** The node's side: a fenced id is refused when it arrives late, and never reaches the service. */
  @Test
  void aNodeAskedBackForAnIdItNeverHadRefusesItWhenItArrivesLate() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicInteger applied = new AtomicInteger();
    Inbox inbox = hostingMoves(registry, applied);

    long deadline = System.currentTimeMillis() + 5_000;
    assertThat(notRemembered(inbox, "late-one", deadline)).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(refusal(inbox, move("late-one"))).as("reroutable, should it come from elsewhere")
      .isEqualTo(ErrorCode.NO_HANDLERS);
    assertThat(applied).as("never applied here").hasValue(0);
    assertThat(registry.get("netflow.inbox.fenced").counter().count()).isEqualTo(1);
    // Asked again (a client's copy looking for its answer): this node still does not have it.
    assertThat(notRemembered(inbox, "late-one", 0)).isEqualTo(ErrorCode.NOT_FOUND);

    // Asked without a fence, nothing is refused.
    assertThat(notRemembered(inbox, "other", 0)).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(on(() -> inbox.handle(move("other"))).toString()).isEqualTo("ok other");

    // An id it already took is answered from memory, fence or not: the answer it gave.
    assertThat(on(() -> inbox.recall("other", Fence.closed(deadline))).toString()).isEqualTo("ok other");
    assertThat(applied).hasValue(1);

    // A fence lasts until the first copy's deadline, past which a late copy is refused anyway: a
    // copy sent after it may be applied here.
    assertThat(notRemembered(inbox, "brief", System.currentTimeMillis() + 200)).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(refusal(inbox, move("brief"))).isEqualTo(ErrorCode.NO_HANDLERS);
    Thread.sleep(300);
    assertThat(on(() -> inbox.handle(move("brief"))).toString()).isEqualTo("ok brief");
    assertThat(applied).hasValue(2);
  }

  private ErrorCode notRemembered(Inbox inbox, String id, long fenceUntilMillis) {
    return notRemembered(inbox, id, fenceUntilMillis == 0 ? null : Fence.closed(fenceUntilMillis));
  }

  private ErrorCode notRemembered(Inbox inbox, String id, Fence fence) {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
      () -> on(() -> inbox.recall(id, fence)));
    return MeshException.of(e.getCause()).code();
  }

  /** The code {@code inbox} refuses {@code e} with. */
  private ErrorCode refusal(Inbox inbox, Envelope e) {
    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
      () -> on(() -> inbox.handle(e)));
    return MeshException.of(refused.getCause()).code();
  }

  /** An inbox hosting "moves", counting what it applies. */
  private Inbox hostingMoves(SimpleMeterRegistry registry, AtomicInteger applied) {
    Inbox inbox = new Inbox(vertx, new MeshOptions(), registry);
    inbox.host("moves", e -> {
      applied.incrementAndGet();
      return Future.succeededFuture(Buffer.buffer("ok " + e.id()));
    });
    return inbox;
  }
}
