package io.netflow.mesh.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.mesh.MeshOptions;
import io.netflow.mesh.Reply;
import io.netflow.routing.Router;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each request's journey through the mesh: the router picks a node, the request goes to it, and on
 * a failure that says "try elsewhere" (a timeout, a missing handler, OVERLOADED, DRAINING) it goes
 * on to the next node within its deadline; when every host said OVERLOADED it backs off as asked
 * and tries them all again, {@value #MAX_ROUNDS} rounds at most. A request always ends by its
 * deadline, answered or with its code: a backstop ends one still pending a little after it (a bug
 * if it ever fires, counted). Owned by one routing shard's event loop.
 */
public final class Requests {

  private static final Logger LOG = LoggerFactory.getLogger(Requests.class);
  /** Rounds over every host when all of them say OVERLOADED. */
  static final int MAX_ROUNDS = 3;
  /** How long past its deadline the backstop waits before it ends a request nothing answered. */
  private static final long DEADLINE_GRACE_MS = 1_000;
  /** How often the backstop looks for such requests, while any request is open. */
  private static final long BACKSTOP_SWEEP_MS = 1_000;

  /** How a request reaches one node: this node's inbox, or the link to a peer. */
  @FunctionalInterface
  public interface Transport {
    Future<Buffer> send(String node, Envelope e);
  }

  /**
   * Asks one node for the answer it remembers to a request id (waiting for one it is still working
   * out); fails (NOT_FOUND) when it has none. With a {@code fence} (null for none), a node that has
   * none also refuses the id until the fence ends to every copy but the one carrying its pass: the
   * request is to be answered elsewhere, and a first copy still on its way there must not be applied
   * too ({@link Inbox#recall}).
   */
  @FunctionalInterface
  public interface Recall {
    Future<Buffer> recall(String node, String id, long timeoutMs, Fence fence);
  }

  private final Vertx vertx;
  private final MeshOptions options;
  private final Router router;
  private final Transport transport;
  private final Recall recall;
  private final Function<String, String> names;
  private final MeterRegistry registry;
  private final Map<String, Long> lastRerouteLog = new HashMap<>();
  private final Map<String, Map<ErrorCode, Counter>> reroutes = new HashMap<>();
  private final Counter noRoute;
  private final Counter expired;
  private final Counter recalled;
  /** Requests begun and not yet answered, for the backstop's sweep. */
  private final Set<Attempts> open = new HashSet<>();
  private long sweep = -1;

  /** @param names a node's name for logs and meters, by its id */
  public Requests(Vertx vertx, MeshOptions options, Router router, Transport transport, Recall recall,
                  Function<String, String> names, MeterRegistry registry) {
    this.vertx = vertx;
    this.options = options;
    this.router = router;
    this.transport = transport;
    this.recall = recall;
    this.names = names;
    this.registry = registry;
    this.noRoute = Counter.builder("netflow.routing.unroutable").description("Requests no node could take")
      .register(registry);
    this.expired = Counter.builder("netflow.routing.expired")
      .description("Requests still unanswered past their deadline, ended DEADLINE_EXCEEDED by the backstop (a bug if not 0)")
      .register(registry);
    this.recalled = Counter.builder("netflow.routing.recalled")
      .description("CRITICAL/HIGH requests a node answered from memory, not applied again: copies sent again, and "
        + "attempts whose node answered too late")
      .register(registry);
  }

  /** Routes a (validated) request; completes with the answer of the node that served it. */
  public Future<Reply> request(Envelope e) {
    return begin(e, false).promise.future();
  }

  /**
   * A copy of a request sent before (see {@link io.netflow.mesh.Mesh#resend}): every host of its
   * service is asked at once for the answer it remembers; the first to have one answers. A host that
   * does not remember it is fenced ({@link Fence}): the first copy may still be on its way to it
   * (from an edge that was killed, on another connection than the question's), and must not be
   * applied there after this copy was applied elsewhere ({@code ClientFailoverIT} on CI). When none
   * remembers it (each says so, fails or does not answer within an attempt's time), the copy is
   * routed as a new request, carrying the fence's pass, first to the hosts that did not say they do
   * not remember it: on a busy machine a host that had applied the first copy left the question
   * unanswered for the attempt's time. Sent to that host, the copy meets its memory there.
   */
  public Future<Reply> resend(Envelope e) {
    if (!e.priority().atLeastOnce()) {
      return request(e);
    }
    List<String> hosts = router.hostsOf(e.service());
    Promise<Reply> answer = Promise.promise();
    long timeout = Math.min(options.getAttemptTimeoutMs(), Math.max(1, e.remainingMillis(System.currentTimeMillis())));
    // Open as long as a node remembers answers: the first copy's deadline may be later than this one's.
    Fence fence = Fence.open(Math.max(e.deadlineMillis(), System.currentTimeMillis() + options.getDedupeTtlMs()));
    List<Future<Buffer>> asked = new ArrayList<>(hosts.size());
    Set<String> forgot = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (String node : hosts) {
      Future<Buffer> remembered = recall.recall(node, e.id(), timeout, fence);
      remembered.onComplete(ar -> {
        if (ar.succeeded() && answer.tryComplete(new Reply(ar.result(), node, 1))) {
          recalled.increment();
        } else if (ar.failed() && MeshException.of(ar.cause()).code() == ErrorCode.NOT_FOUND) {
          forgot.add(node);
        }
      });
      asked.add(remembered);
    }
    Future.join(asked).onComplete(all -> {
      if (!answer.future().isComplete()) {
        Attempts a = new Attempts(e, false);
        a.carry(fence);
        a.holdBack(forgot);
        begin(a).promise.future().onComplete(answer);
      }
    });
    return answer.future();
  }

  /** Routes a (validated) request; completes with the first node that takes it (the gateway's 202). */
  public Future<String> accept(Envelope e) {
    return begin(e, true).accepted.future();
  }

  /** A node left: its reroute counters go with it. */
  public void nodeLeft(String node) {
    lastRerouteLog.remove(node);
    Map<ErrorCode, Counter> counters = reroutes.remove(node);
    if (counters != null) {
      counters.values().forEach(registry::remove);
    }
  }

  private Attempts begin(Envelope e, boolean acceptEarly) {
    return begin(new Attempts(e, acceptEarly));
  }

  private Attempts begin(Attempts a) {
    route(a);
    if (!a.promise.future().isComplete()) {
      backstop(a);
    }
    return a;
  }

  /**
   * Watches a request that is somehow still unanswered a little past its deadline (every attempt is
   * bounded by it, so this firing means a bug): a sweep once a second, armed while any request is
   * open, answers it DEADLINE_EXCEEDED, counted and logged, so no caller ever waits for ever. One
   * sweep for the shard rather than a timer per request: setting and cancelling a timer for each
   * took a sixth of a routing loop under the gateway's load.
   */
  private void backstop(Attempts a) {
    open.add(a);
    a.promise.future().onComplete(ar -> open.remove(a));
    if (sweep == -1) {
      sweep = vertx.setPeriodic(BACKSTOP_SWEEP_MS, id -> sweep());
    }
  }

  private void sweep() {
    if (open.isEmpty()) {
      vertx.cancelTimer(sweep);
      sweep = -1;
      return;
    }
    long now = System.currentTimeMillis();
    for (Attempts a : new ArrayList<>(open)) {
      if (now > a.envelope.deadlineMillis() + DEADLINE_GRACE_MS && !a.promise.future().isComplete()) {
        expired.increment();
        LOG.warn("Request {} to '{}' was still unanswered {} ms past its deadline; ended DEADLINE_EXCEEDED",
          a.envelope.id(), a.envelope.service(), now - a.envelope.deadlineMillis());
        fail(a, new MeshException(ErrorCode.DEADLINE_EXCEEDED, "no answer by the deadline"));
      }
    }
  }

  /** One request's journey: the nodes tried and the last failure. */
  private static final class Attempts {
    /** The request as routed: a client's copy carries the pass of the fence its question put on its hosts. */
    Envelope envelope;
    final Promise<Reply> promise = Promise.promise();
    /** Completed with the first node that takes the request, for {@link #accept}; else null. */
    final Promise<String> accepted;
    final Set<String> tried = new HashSet<>(4);
    /** Nodes held back (in {@link #tried}) until every other has been tried: a copy's hosts that forgot it. */
    Set<String> later = Set.of();
    int attempts;
    int rounds;
    MeshException lastFailure;

    Attempts(Envelope envelope, boolean acceptEarly) {
      this.envelope = envelope;
      this.accepted = acceptEarly ? Promise.promise() : null;
    }

    /** From now on the request carries {@code f}'s pass, so the nodes it fenced take it. */
    void carry(Fence f) {
      envelope = f.admit(envelope);
    }

    void holdBack(Set<String> nodes) {
      later = Set.copyOf(nodes);
      tried.addAll(later);
    }
  }

  /** Ends a request in failure; one that was already accepted (answered 202) is counted as dropped. */
  private void fail(Attempts a, MeshException failure) {
    if (!a.promise.tryFail(failure)) {
      return;
    }
    if (a.accepted != null && !a.accepted.tryFail(failure)) {
      Counter.builder("netflow.routing.dropped")
        .description("Requests accepted early (the gateway's 202) that no node finally took")
        .tags("priority", a.envelope.priority().name(), "reason", failure.code().name()).register(registry).increment();
      LOG.debug("Dropped accepted request {} to '{}': {}", a.envelope.id(), a.envelope.service(), failure.toString());
    }
  }

  private void route(Attempts a) {
    Envelope e = a.envelope;
    if (e.remainingMillis(System.currentTimeMillis()) <= 0) {
      fail(a, a.lastFailure != null ? a.lastFailure
        : new MeshException(ErrorCode.DEADLINE_EXCEEDED, "deadline passed before a node answered"));
      return;
    }
    String node = pick(a);
    if (node == null && retryRound(a)) {
      return;
    }
    if (node == null) {
      noRoute.increment();
      fail(a, a.lastFailure != null ? a.lastFailure : router.anyHosts(e.service())
        ? new MeshException(ErrorCode.NO_HANDLERS, "no node can take '" + e.service() + "' now")
        : new MeshException(ErrorCode.NO_SUCH_SERVICE, "no node hosts service '" + e.service() + "'"));
      return;
    }
    a.tried.add(node);
    a.attempts++;
    Router.NodeStats stats = router.stats(node);
    stats.begin();
    long start = System.nanoTime();
    Future<Buffer> answer = transport.send(node, e);
    if (a.accepted != null && !answer.failed()) {
      a.accepted.tryComplete(node);
    }
    answer.onComplete(ar -> {
      long now = System.nanoTime();
      if (ar.succeeded()) {
        stats.end(now - start, true, 0, now);
        a.promise.tryComplete(new Reply(ar.result(), node, a.attempts));
        return;
      }
      MeshException failure = MeshException.of(ar.cause());
      stats.end(now - start, false, penaltyNanos(failure), now);
      if (!reroutable(e, failure)) {
        fail(a, failure);
      } else if (failure.code() == ErrorCode.TIMEOUT && e.priority().atLeastOnce()) {
        askBeforeRerouting(a, node, failure);
      } else {
        reroute(a, node, failure);
      }
    });
  }

  /**
   * A CRITICAL or HIGH request whose node did not answer in time may still be applied there: on a
   * busy machine a node took an action 0.7 s after it was sent and answered past the 1 s attempt;
   * sent on at once, the action was applied twice ({@code ClientFailoverIT}, 2 runs of 4). So that
   * node is asked first, and fenced: it answers with what it did (waiting for an answer it is
   * still working out), or says it never had the request and refuses it until the request's
   * deadline (past which the first copy is refused anyway), so a first copy still on its way is not
   * applied after the request went elsewhere. The fence is closed ({@link Fence#closed}): the copy
   * sent there may carry a pass already (a client's copy), and the rest of a chunked one may still
   * be on its way behind the question. The question travels behind the request on the same
   * connection, so it cannot overtake a request sent whole. A node that does not answer the question either (hung,
   * or dying) is routed around as before, as is one already known gone (left, or refusing
   * connections), without asking.
   */
  private void askBeforeRerouting(Attempts a, String node, MeshException failure) {
    Envelope e = a.envelope;
    long left = e.remainingMillis(System.currentTimeMillis());
    if (left <= 0 || !router.reachable(node)) {
      reroute(a, node, failure);
      return;
    }
    Fence closed = Fence.closed(e.deadlineMillis());
    recall.recall(node, e.id(), Math.min(options.getAttemptTimeoutMs(), left), closed).onComplete(remembered -> {
      if (remembered.failed()) {
        reroute(a, node, failure);
      } else if (a.promise.tryComplete(new Reply(remembered.result(), node, a.attempts))) {
        recalled.increment();
      }
    });
  }

  private void reroute(Attempts a, String node, MeshException failure) {
    a.lastFailure = failure;
    rerouted(node, failure.code()).increment();
    logReroute(node, failure);
    route(a);
  }

  /** The next node to try, those held back last; null when none is left. */
  private String pick(Attempts a) {
    String node = router.pick(a.envelope, a.tried);
    if (node != null || a.later.isEmpty()) {
      return node;
    }
    a.tried.removeAll(a.later);
    a.later = Set.of();
    return router.pick(a.envelope, a.tried);
  }

  /**
   * Every host said OVERLOADED: wait as long as they asked (at least 10 ms, doubling each round)
   * and try them all again, at most {@link #MAX_ROUNDS} rounds and never past the deadline.
   */
  private boolean retryRound(Attempts a) {
    if (a.lastFailure == null || a.lastFailure.code() != ErrorCode.OVERLOADED || a.rounds + 1 >= MAX_ROUNDS) {
      return false;
    }
    long backoff = Math.max(a.lastFailure.retryAfterMs(), 10L) << a.rounds;
    if (a.envelope.remainingMillis(System.currentTimeMillis()) <= backoff) {
      return false;
    }
    a.rounds++;
    a.tried.clear();
    vertx.setTimer(backoff, t -> route(a));
    return true;
  }

  /** BULK is answered, never rerouted; the rest go on after failures that say "try elsewhere". */
  private static boolean reroutable(Envelope e, MeshException failure) {
    if (e.priority() == Priority.BULK) {
      return false;
    }
    return switch (failure.code()) {
      case TIMEOUT, NO_HANDLERS, OVERLOADED, DRAINING -> true;
      default -> false;
    };
  }

  /** The reroute counter of a node and reason: tagged by a member's name, removed when it leaves. */
  private Counter rerouted(String node, ErrorCode reason) {
    return reroutes.computeIfAbsent(node, n -> new EnumMap<>(ErrorCode.class)).computeIfAbsent(reason, r ->
      Counter.builder("netflow.routing.rerouted").description("Requests sent on to another node after this one failed")
        .tags("dest", names.apply(node), "reason", r.name()).register(registry));
  }

  /** A failed node looks slow to the balancer for a while, in proportion to how it failed. */
  private long penaltyNanos(MeshException failure) {
    long attempt = options.getAttemptTimeoutMs() * 1_000_000;
    return failure.code() == ErrorCode.TIMEOUT || failure.code() == ErrorCode.NO_HANDLERS ? attempt : attempt / 10;
  }

  private void logReroute(String node, MeshException failure) {
    long now = System.nanoTime();
    Long last = lastRerouteLog.get(node);
    if (last == null || now - last > 10_000_000_000L) {
      lastRerouteLog.put(node, now);
      LOG.info("Routing around node {}: {}", names.apply(node), failure.toString());
    } else {
      LOG.debug("Rerouted from node {}: {}", names.apply(node), failure.toString());
    }
  }
}
