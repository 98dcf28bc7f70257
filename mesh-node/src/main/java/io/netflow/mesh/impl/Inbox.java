package io.netflow.mesh.impl;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.lanes.Link;
import io.netflow.mesh.MeshOptions;
import io.netflow.mesh.ServiceHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of a node: envelopes routed here by peers (and by this node itself) are
 * reassembled from chunks, de-duplicated (CRITICAL and HIGH), admitted or turned away with
 * OVERLOADED before the node melts, and handed to the local service or subscribers.
 *
 * <p>Admission adapts to measured service time (Netflix concurrency-limits, Gradient2). CRITICAL
 * is always admitted, and MODEL chunk transfers are governed by their own bandwidth control. Owned by the data plane's event loop; the figures it reports are thread-safe.
 */
public final class Inbox {

  private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
  private static final Buffer ACK = Buffer.buffer();
  /** The node reports itself OVERLOADED while it turns away more than this share of requests. */
  private static final double OVERLOADED_REJECT_RATIO = 0.05;
  /** Gradient2's own lowest limit, kept unless the configured limits are lower. */
  private static final int GRADIENT2_FLOOR = 20;

  private final Map<String, ServiceHandler> services = new ConcurrentHashMap<>();
  private final Map<String, List<Handler<Envelope>>> subscribers = new ConcurrentHashMap<>();
  /** CRITICAL requests being handled now (admission does not count them). */
  private final AtomicInteger criticalInFlight = new AtomicInteger();
  private final Dedupe dedupe;
  private final Reassembly reassembly;
  private final SimpleLimiter<Void> limiter;
  private final java.util.concurrent.atomic.AtomicLongArray served =
    new java.util.concurrent.atomic.AtomicLongArray(Priority.values().length);
  /**
   * What a fenced id is answered with (reroutable, so that a copy reaching this node goes on to
   * another), and the pass of the one copy let through.
   */
  private static final class Fenced extends MeshException {
    final Fence fence;

    Fenced(Fence fence) {
      super(ErrorCode.NO_HANDLERS, "this request was asked back from this node; it is answered elsewhere");
      this.fence = fence;
    }

    /** The fence {@code answer} stands for, or null when it is an answer. */
    static Fence of(Future<Buffer> answer) {
      return answer.failed() && answer.cause() instanceof Fenced f ? f.fence : null;
    }
  }

  private final Counter duplicates;
  private final Counter fenced;
  private final Counter fenceRefusals;
  private final Counter rejected;
  private final Counter timedOut;
  private final Vertx vertx;
  private final RejectRate rejectRate = new RejectRate();
  private volatile boolean draining;

  public Inbox(Vertx vertx, MeshOptions options, MeterRegistry registry) {
    this.vertx = vertx;
    Counter evicted = Counter.builder("netflow.inbox.dedupe.evicted")
      .description("Remembered CRITICAL/HIGH answers forgotten before mesh.dedupe-ttl-ms to stay under mesh.dedupe-entries "
        + "or mesh.dedupe-max-bytes").register(registry);
    this.dedupe = new Dedupe(options.getDedupeEntries(), options.getDedupeMaxBytes(), options.getDedupeTtlMs(),
      evicted::increment);
    this.timedOut = Counter.builder("netflow.inbox.timeouts")
      .description("Requests whose service handler had not answered by the envelope's deadline: answered TIMEOUT, "
        + "their admission permit and de-duplication entry given back").register(registry);
    Gauge.builder("netflow.inbox.dedupe.bytes", dedupe, Dedupe::bytes)
      .description("Bytes the remembered CRITICAL/HIGH answers take (bounded by mesh.dedupe-max-bytes)").register(registry);
    this.reassembly = new Reassembly(options.getMaxReassemblyBytes(), options.getMaxPayloadBytes());
    this.limiter = SimpleLimiter.newBuilder().named("netflow-inbox")
      .limit(Gradient2Limit.newBuilder().initialLimit(options.getAdmissionInitialLimit())
        .maxConcurrency(options.getAdmissionMaxLimit())
        // Gradient2 never goes below its floor (20 unless told), even past maxConcurrency: a
        // smaller admission.max-limit or initial-limit lowers the floor to it, so it holds.
        .minLimit(Math.min(GRADIENT2_FLOOR, Math.min(options.getAdmissionInitialLimit(), options.getAdmissionMaxLimit())))
        .build())
      .build();
    this.duplicates = Counter.builder("netflow.inbox.duplicates")
      .description("CRITICAL and HIGH envelopes received again and answered from memory").register(registry);
    this.fenced = Counter.builder("netflow.inbox.fenced")
      .description("CRITICAL/HIGH request ids a peer asked back (its attempt timed out, or a client sent a copy), never "
        + "received here: refused to every copy until the request's deadline, or to all but the asker's copy for as long as "
        + "answers are remembered").register(registry);
    this.fenceRefusals = Counter.builder("netflow.inbox.fenced.refused")
      .description("Copies of CRITICAL/HIGH requests refused here by a fence (answered NO_HANDLERS, so that they go on)")
      .register(registry);
    this.rejected = Counter.builder("netflow.admission.rejected")
      .description("Requests turned away OVERLOADED by adaptive admission").register(registry);
    Gauge.builder("netflow.admission.limit", limiter, l -> l.getLimit())
      .description("Concurrent requests adaptive admission lets in now").register(registry);
    Gauge.builder("netflow.admission.inflight", limiter, l -> l.getInflight())
      .description("Requests being handled now").register(registry);
  }

  /**
   * An envelope a peer routed here ({@link FrameReceiver}): a chunk is reassembled (and acknowledged
   * until the last), a publication is delivered, a request served. Completes with the answer to send back.
   */
  public Future<Buffer> take(Envelope envelope) {
    Envelope e = envelope;
    if (e.headers().containsKey(Link.CHUNK_HEADER)) {
      try {
        e = reassembly.add(e);
      } catch (MeshException failure) {
        return Future.failedFuture(failure);
      }
      if (e == null) {
        return Future.succeededFuture(ACK);
      }
    }
    if (!e.isRequest()) {
      deliver(e);
      return Future.succeededFuture(ACK);
    }
    return handle(e);
  }

  /**
   * The answer this node gave (or is still working out) to the CRITICAL/HIGH request {@code id};
   * NOT_FOUND when it does not remember it. A draining node still answers: its memory is what keeps
   * a copy from being applied again elsewhere. With a {@code fence} (null for none), an id it does
   * not remember is refused until the fence ends (at most as long as it remembers answers), to
   * every copy or to all but the asker's ({@link Fence}): the asker routes the request on, and a
   * copy that reaches this node late must not be applied here too. An id fenced already keeps one
   * fence of the two ({@link Fence#and}).
   */
  public Future<Buffer> recall(String id, Fence fence) {
    Future<Buffer> prior = id == null ? null : dedupe.get(id);
    Fence held = prior == null ? null : Fenced.of(prior);
    if (prior != null && held == null) {
      duplicates.increment();
      return prior;
    }
    if (id != null && fence != null) {
      Fence kept = held == null ? fence : held.and(fence);
      long fenceMs = kept.untilMillis() - System.currentTimeMillis();
      if (fenceMs > 0) {
        dedupe.put(id, Future.failedFuture(new Fenced(kept)), fenceMs);
        if (held == null) {
          fenced.increment();
        }
      }
    }
    return Future.failedFuture(new MeshException(ErrorCode.NOT_FOUND, "request " + id + " is not remembered here"));
  }

  /** Serves a request to a local service: the same path for this node's own requests and its peers'. */
  public Future<Buffer> handle(Envelope envelope) {
    Envelope e = envelope;
    if (draining) {
      return Future.failedFuture(new MeshException(ErrorCode.DRAINING, "node is draining"));
    }
    if (e.remainingMillis(System.currentTimeMillis()) <= 0) {
      return Future.failedFuture(new MeshException(ErrorCode.DEADLINE_EXCEEDED, "arrived past its deadline"));
    }
    boolean remember = e.priority().atLeastOnce();
    if (remember) {
      Future<Buffer> prior = dedupe.get(e.id());
      Fence fence = prior == null ? null : Fenced.of(prior);
      if (prior != null && fence == null) {
        duplicates.increment();
        return prior;
      }
      // An open fence lets through the one copy its asker routes on; any other copy is refused.
      if (fence != null && !fence.admits(e)) {
        fenceRefusals.increment();
        return prior;
      }
      e = Fence.withoutPass(e);
    }
    ServiceHandler handler = services.get(e.service());
    if (handler == null) {
      return Future.failedFuture(new MeshException(ErrorCode.NO_HANDLERS, "this node does not host '" + e.service() + "'"));
    }
    Optional<Limiter.Listener> permit = Optional.empty();
    // CRITICAL is always admitted; MODEL has its own controls (budgets, AIMD, per-peer bounds)
    // and waits on the upload budget by design, which admission would misread as congestion.
    if (e.priority() != Priority.CRITICAL && e.priority() != Priority.MODEL) {
      permit = limiter.acquire(null);
      rejectRate.record(permit.isEmpty());
      if (permit.isEmpty()) {
        rejected.increment();
        return Future.failedFuture(new MeshException(ErrorCode.OVERLOADED,
          "admission limit of " + limiter.getLimit() + " concurrent requests reached", 50));
      }
    }
    served.incrementAndGet(e.priority().code());
    boolean critical = e.priority() == Priority.CRITICAL;
    if (critical) {
      criticalInFlight.incrementAndGet();
    }
    Future<Buffer> answer = call(handler, e);
    if (answer.isComplete()) {
      if (critical) {
        criticalInFlight.decrementAndGet();
      }
      permit.ifPresent(l -> release(l, answer.succeeded()));
      if (remember) {
        dedupe.put(e.id(), answer);
      }
      return answer;
    }
    Future<Buffer> bounded = untilDeadline(e, answer, permit.orElse(null));
    if (critical) {
      bounded.onComplete(ar -> criticalInFlight.decrementAndGet());
    }
    if (remember) {
      dedupe.put(e.id(), bounded);
    }
    return bounded;
  }

  /**
   * The handler's answer, or TIMEOUT at the envelope's deadline: a handler that never answers gives
   * back its admission permit and its de-duplication entry then, and cannot hold the node forever.
   */
  private Future<Buffer> untilDeadline(Envelope e, Future<Buffer> answer, Limiter.Listener permit) {
    Promise<Buffer> outcome = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, e.remainingMillis(System.currentTimeMillis())), t -> {
      if (outcome.future().isComplete()) {
        return;
      }
      // Given back before the caller hears TIMEOUT: a retry it sends at once finds neither held.
      dedupe.remove(e.id(), outcome.future());
      if (outcome.tryFail(new MeshException(ErrorCode.TIMEOUT, "service '" + e.service()
        + "' did not answer by the envelope's deadline"))) {
        timedOut.increment();
        if (permit != null) {
          permit.onDropped();
        }
        LOG.debug("Request {} to '{}' timed out in its handler", e.id(), e.service());
      }
    });
    answer.onComplete(ar -> {
      boolean first = ar.succeeded() ? outcome.tryComplete(ar.result()) : outcome.tryFail(ar.cause());
      if (first) {
        vertx.cancelTimer(timer);
        if (permit != null) {
          release(permit, ar.succeeded());
        }
      }
    });
    return outcome.future();
  }

  private static Future<Buffer> call(ServiceHandler handler, Envelope e) {
    try {
      Future<Buffer> answer = handler.handle(e);
      if (answer != null) {
        return answer;
      }
      LOG.warn("Handler of '{}' returned no future", e.service());
    } catch (RuntimeException bug) {
      LOG.warn("Handler of '{}' threw: {}", e.service(), bug.toString());
    }
    return Future.failedFuture(new MeshException(ErrorCode.INTERNAL, "handler failed"));
  }

  private static void release(Limiter.Listener permit, boolean succeeded) {
    if (succeeded) {
      permit.onSuccess();
    } else {
      permit.onIgnore();
    }
  }

  /** Hands a publication to this node's subscribers of its topic, in arrival order. */
  public void deliver(Envelope e) {
    for (Handler<Envelope> h : subscribers.getOrDefault(e.topic(), List.of())) {
      try {
        h.handle(e);
      } catch (RuntimeException bug) {
        LOG.warn("Subscriber of '{}' threw: {}", e.topic(), bug.toString());
      }
    }
  }

  public void host(String service, ServiceHandler handler) {
    if (services.putIfAbsent(service, handler) != null) {
      throw new MeshException(ErrorCode.CONFLICT, "service '" + service + "' is already hosted on this node");
    }
  }

  public void unhost(String service) {
    services.remove(service);
  }

  public void subscribe(String topic, Handler<Envelope> handler) {
    subscribers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(handler);
  }

  public void unsubscribe(String topic, Handler<Envelope> handler) {
    subscribers.computeIfPresent(topic, (t, list) -> {
      list.remove(handler);
      return list.isEmpty() ? null : list;
    });
  }

  /** From now on every request is answered DRAINING. */
  public void drain() {
    draining = true;
  }

  /** Housekeeping, once a second. */
  public void expire(long nowMillis) {
    reassembly.expire(nowMillis);
  }

  public List<String> services() {
    return List.copyOf(services.keySet());
  }

  /** Whether any handler on this node subscribes to {@code topic}. */
  public boolean hasSubscribers(String topic) {
    return subscribers.containsKey(topic);
  }

  /** Requests of {@code priority} this node's services have taken (admitted), since start. */
  public long served(Priority priority) {
    return served.get(priority.code());
  }

  /**
   * Requests being handled now, CRITICAL ones included: admission never refuses those, but they
   * load the node all the same, and the load report (utilisation, which routing and the regions'
   * spill read) must show it.
   */
  public int inFlight() {
    return limiter.getInflight() + criticalInFlight.get();
  }

  public int limit() {
    return limiter.getLimit();
  }

  /** Whether admission is turning away more than 5% of requests over the last second or so. */
  public boolean overloaded() {
    return rejectRate.ratio() > OVERLOADED_REJECT_RATIO;
  }

  /** Share of admission decisions that were refusals, over the current and the previous second. */
  private static final class RejectRate {
    private long windowStart = System.nanoTime();
    private long decided;
    private long refused;
    private long previousDecided;
    private long previousRefused;

    synchronized void record(boolean refusal) {
      rotate();
      decided++;
      if (refusal) {
        refused++;
      }
    }

    synchronized double ratio() {
      rotate();
      long d = decided + previousDecided;
      return d < 20 ? 0 : (refused + previousRefused) / (double) d;
    }

    private void rotate() {
      long now = System.nanoTime();
      if (now - windowStart >= TimeUnit.SECONDS.toNanos(1)) {
        boolean skipped = now - windowStart >= TimeUnit.SECONDS.toNanos(2);
        previousDecided = skipped ? 0 : decided;
        previousRefused = skipped ? 0 : refused;
        decided = 0;
        refused = 0;
        windowStart = now;
      }
    }
  }
}
