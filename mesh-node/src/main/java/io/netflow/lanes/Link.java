package io.netflow.lanes;

import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The egress scheduler of one destination node. The event bus keeps one FIFO connection per pair
 * of nodes, so priority is enforced here, before an envelope enters it:
 *
 * <ul>
 *   <li>CRITICAL leaves first, always, and is never held back by the window;</li>
 *   <li>the other lanes share the link by deficit round robin with their weights, each within
 *       its node-wide ceiling (a token bucket);</li>
 *   <li>at most {@code link-window-bytes} of non-CRITICAL envelopes are sent and unanswered at a
 *       time, so a CRITICAL envelope finds little ahead of it on the connection;</li>
 *   <li>payloads over {@code chunk-bytes} travel in chunks, so other lanes pass between them.</li>
 * </ul>
 *
 * <p>It also notices a destination gone silent: when envelopes are on the wire and nothing has come
 * back for {@code mesh.suspect-after-ms}, it tells its owner (which checks whether the node is still
 * there: see {@link io.netflow.mesh.impl.PeerProbe}), again after twice as long while the silence
 * lasts (up to 8 times), and starts over once an answer arrives. The event bus itself fails nothing
 * sent to a dead process before the cluster removes it; its callers would wait out their timeouts.
 *
 * <p>Not thread-safe: owned by the data plane's event loop.
 */
public final class Link {

  /** Header of a chunk: {@code "<index>/<count>"}. */
  public static final String CHUNK_HEADER = "nf-chunk";
  /**
   * Header of a request whose answer is large (a model chunk): the bytes expected back, counted in
   * the window like the request's own, since the answer shares the connection pair.
   */
  public static final String REPLY_BYTES_HEADER = "nf-reply-bytes";

  private static final Priority[] DRR = {Priority.HIGH, Priority.NORMAL, Priority.MODEL, Priority.BULK};

  private final String nodeId;
  private final LaneOptions options;
  private final LaneStats stats;
  private final Transmitter transmitter;
  private final Vertx vertx;
  private final LinkMetrics metrics;
  private final java.util.concurrent.atomic.AtomicLongArray sentBytesByLane =
    new java.util.concurrent.atomic.AtomicLongArray(Priority.values().length);
  @SuppressWarnings("unchecked")
  private final ArrayDeque<Outbound>[] queues = new ArrayDeque[Priority.values().length];
  private final long[] queuedBytes = new long[Priority.values().length];
  private final long[] deficit = new long[Priority.values().length];
  private int drrIndex;
  private boolean credited;
  private long inFlightBytes;
  private final long[] inFlightByLane = new long[Priority.values().length];
  private long wakeTimer = -1;
  private boolean closed;
  private long answeredBytes;
  private long rateWindowStartNanos = System.nanoTime();
  private double bytesPerSecond = 1 << 20;

  private final Set<Outbound> sent = new LinkedHashSet<>();
  private final long suspectAfterNanos;
  private final Runnable onSilence;
  private long lastHeardNanos = System.nanoTime();
  private long silenceTimer = -1;
  /** Suspicions raised in the current silence; each waits twice as long as the one before. */
  private int suspicions;

  /** What to do, on the link's loop, when a destination with envelopes on the wire goes silent ({@code afterMs} 0: never). */
  public record Silence(long afterMs, Runnable action) {
    /** No watch. */
    public static final Silence NONE = new Silence(0, () -> { });
  }

  /** One envelope (or chunk) waiting for, or on, the wire. Finishes once: by its answer, or by the link closing. */
  private static final class Outbound {
    final Envelope envelope;
    final int size;
    final long enqueuedNanos;
    final long attemptTimeoutMs;
    private final Handler<AsyncResult<Buffer>> done;
    private boolean finished;
    long sentNanos;

    Outbound(Envelope envelope, int size, long enqueuedNanos, long attemptTimeoutMs,
             Handler<AsyncResult<Buffer>> done) {
      this.envelope = envelope;
      this.size = size;
      this.enqueuedNanos = enqueuedNanos;
      this.attemptTimeoutMs = attemptTimeoutMs;
      this.done = done;
    }

    Envelope envelope() {
      return envelope;
    }

    int size() {
      return size;
    }

    boolean finish(AsyncResult<Buffer> result) {
      if (finished) {
        return false;
      }
      finished = true;
      done.handle(result);
      return true;
    }
  }

  public Link(String nodeId, String nodeName, LaneOptions options, LaneStats stats, Transmitter transmitter,
              Vertx vertx, MeterRegistry registry, Silence silence) {
    this.nodeId = nodeId;
    this.suspectAfterNanos = TimeUnit.MILLISECONDS.toNanos(silence.afterMs());
    this.onSilence = silence.action();
    this.options = options;
    this.stats = stats;
    this.transmitter = transmitter;
    this.vertx = vertx;
    for (int i = 0; i < queues.length; i++) {
      queues[i] = new ArrayDeque<>();
    }
    this.metrics = new LinkMetrics(registry, nodeName, this);
  }

  /**
   * Queues an envelope for this node. Completes with the node's answer; fails with OVERLOADED
   * (and a retry-after hint) when the lane's queue is full, without queuing anything.
   *
   * @param attemptTimeoutMs the longest to wait for the answer once sent
   */
  public Future<Buffer> offer(Envelope envelope, long attemptTimeoutMs) {
    Priority lane = envelope.priority();
    int size = envelope.size() + replyBytes(envelope);
    if (closed) {
      return Future.failedFuture(new MeshException(ErrorCode.NO_HANDLERS, "node " + nodeId + " left"));
    }
    if (queuedBytes[lane.code()] + size > options.lane(lane).maxQueuedBytes()) {
      stats.shed[lane.code()].incrementAndGet();
      metrics.shed(lane);
      return Future.failedFuture(new MeshException(ErrorCode.OVERLOADED, lane + " lane to " + nodeId + " is full ("
        + queuedBytes[lane.code()] + " bytes queued)", retryAfterMs(lane)));
    }
    Promise<Buffer> promise = Promise.promise();
    int chunk = options.getChunkBytes();
    int length = envelope.payload().length();
    if (length <= chunk) {
      enqueue(new Outbound(envelope, size, System.nanoTime(), attemptTimeoutMs, ar -> {
        if (ar.succeeded()) {
          promise.tryComplete(ar.result());
        } else {
          promise.tryFail(ar.cause());
        }
      }));
    } else {
      enqueueChunks(envelope, attemptTimeoutMs, promise, chunk, length);
    }
    pump();
    return promise.future();
  }

  private static int replyBytes(Envelope e) {
    String declared = e.headers().get(REPLY_BYTES_HEADER);
    if (declared == null) {
      return 0;
    }
    try {
      return Math.max(0, Math.min(Integer.parseInt(declared), 64 << 20));
    } catch (NumberFormatException ignored) {
      return 0;
    }
  }

  private void enqueueChunks(Envelope envelope, long attemptTimeoutMs, Promise<Buffer> promise,
                             int chunk, int length) {
    int count = (length + chunk - 1) / chunk;
    long now = System.nanoTime();
    for (int i = 0; i < count; i++) {
      Map<String, String> headers = new HashMap<>(envelope.headers());
      headers.put(CHUNK_HEADER, i + "/" + count);
      Envelope part = new Envelope(envelope.id(), envelope.service(), envelope.topic(), envelope.key(),
        envelope.priority(), envelope.deadlineMillis(), envelope.origin(), headers,
        envelope.payload().slice(i * chunk, Math.min(length, (i + 1) * chunk)));
      boolean last = i == count - 1;
      // Earlier chunks are acknowledged on arrival; the last one carries the service's answer.
      enqueue(new Outbound(part, part.size(), now, attemptTimeoutMs, ar -> {
        if (ar.failed()) {
          promise.tryFail(ar.cause());
        } else if (last) {
          promise.tryComplete(ar.result());
        }
      }));
    }
  }

  private void enqueue(Outbound o) {
    int lane = o.envelope().priority().code();
    queues[lane].add(o);
    queuedBytes[lane] += o.size();
    stats.queuedBytes[lane].addAndGet(o.size());
  }

  private void pump() {
    Outbound o;
    while (!closed && (o = next()) != null) {
      send(o);
    }
  }

  private Outbound next() {
    Outbound critical = poll(Priority.CRITICAL);
    if (critical != null) {
      return critical;
    }
    if (inFlightBytes >= options.getLinkWindowBytes()) {
      return null;
    }
    for (int visits = 0; visits < 2 * DRR.length; visits++) {
      Priority lane = DRR[drrIndex];
      ArrayDeque<Outbound> q = queues[lane.code()];
      if (q.isEmpty()) {
        deficit[lane.code()] = 0;
        advance();
        continue;
      }
      long quantum = (long) options.lane(lane).weight() * options.getChunkBytes();
      Outbound head = q.peek();
      if (!credited) {
        // The cap lets a head larger than two quanta (big headers, a large declared answer) go
        // once enough is saved up, rather than wait in its lane for ever.
        deficit[lane.code()] = Math.min(deficit[lane.code()] + quantum, Math.max(2 * quantum, head.size()));
        credited = true;
      }
      if (head.size() > deficit[lane.code()]) {
        advance();
        continue;
      }
      Bucket ceiling = stats.ceiling(lane);
      if (ceiling != null && !ceiling.tryConsume(head.size())) {
        wakeAfter(ceiling.estimateAbilityToConsume(head.size()).getNanosToWaitForRefill());
        advance();
        continue;
      }
      deficit[lane.code()] -= head.size();
      return poll(lane);
    }
    return null;
  }

  private void advance() {
    drrIndex = (drrIndex + 1) % DRR.length;
    credited = false;
  }

  private Outbound poll(Priority lane) {
    Outbound o = queues[lane.code()].poll();
    if (o != null) {
      queuedBytes[lane.code()] -= o.size();
      stats.queuedBytes[lane.code()].addAndGet(-o.size());
    }
    return o;
  }

  private void wakeAfter(long nanos) {
    if (wakeTimer == -1) {
      wakeTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)), id -> {
        wakeTimer = -1;
        pump();
      });
    }
  }

  private void send(Outbound o) {
    Envelope e = o.envelope();
    Priority lane = e.priority();
    long remaining = e.remainingMillis(System.currentTimeMillis());
    if (remaining <= 0) {
      o.finish(Future.failedFuture(new MeshException(ErrorCode.DEADLINE_EXCEEDED,
        "deadline passed while queued in the " + lane + " lane")));
      return;
    }
    inFlightBytes += o.size();
    inFlightByLane[lane.code()] += o.size();
    stats.inFlightBytes[lane.code()].addAndGet(o.size());
    stats.sent[lane.code()].incrementAndGet();
    stats.sentBytes[lane.code()].addAndGet(o.size());
    sentBytesByLane.addAndGet(lane.code(), o.size());
    metrics.sent(lane);
    o.sentNanos = System.nanoTime();
    sent.add(o);
    watchSilence();
    transmitter.send(nodeId, e, Math.min(remaining, o.attemptTimeoutMs)).onComplete(ar -> {
      if (!sent.remove(o)) {
        return;
      }
      if (ar.succeeded() || ErrorCode.of(ar.cause()) != ErrorCode.TIMEOUT) {
        heard();
      }
      inFlightBytes -= o.size();
      inFlightByLane[lane.code()] -= o.size();
      stats.inFlightBytes[lane.code()].addAndGet(-o.size());
      // The caller hears first: nothing after this line can leave a request unanswered.
      o.finish(ar);
      long latency = System.nanoTime() - o.enqueuedNanos;
      metrics.latency(lane, latency);
      if (lane == Priority.CRITICAL && ar.succeeded()) {
        stats.observeCritical(latency);
      }
      measureRate(o.size());
      pump();
    });
  }

  /** Arms the silence watch, if it is on and not armed, for when the oldest envelope on the wire has waited long enough. */
  private void watchSilence() {
    if (silenceTimer == -1 && suspectAfterNanos > 0 && !closed) {
      armSilence(silenceAllowed());
    }
  }

  /** The silence allowed before the next suspicion: twice as long after each one, at most 8 times. */
  private long silenceAllowed() {
    return suspectAfterNanos << Math.min(suspicions, 3);
  }

  private void armSilence(long nanos) {
    silenceTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)), id -> {
      silenceTimer = -1;
      checkSilence();
    });
  }

  private void checkSilence() {
    if (closed || sent.isEmpty()) {
      return;
    }
    long quietSince = Math.max(lastHeardNanos, sent.iterator().next().sentNanos);
    long left = quietSince + silenceAllowed() - System.nanoTime();
    if (left > 0) {
      armSilence(left);
      return;
    }
    suspicions++;
    lastHeardNanos = System.nanoTime();
    onSilence.run();
    watchSilence();
  }

  /** Something came back from the destination: it is there, and a new silence is timed from scratch. */
  private void heard() {
    lastHeardNanos = System.nanoTime();
    if (suspicions > 0) {
      suspicions = 0;
      // The watch armed during the silence waits up to 8 times longer: start it over.
      if (silenceTimer != -1) {
        vertx.cancelTimer(silenceTimer);
        silenceTimer = -1;
      }
      watchSilence();
    }
  }

  private void measureRate(int bytes) {
    answeredBytes += bytes;
    long now = System.nanoTime();
    long elapsed = now - rateWindowStartNanos;
    if (elapsed > 100_000_000L) {
      double rate = answeredBytes * 1e9 / elapsed;
      bytesPerSecond = 0.7 * bytesPerSecond + 0.3 * rate;
      answeredBytes = 0;
      rateWindowStartNanos = now;
    }
  }

  /** How long until the lane's queue has likely drained, at the rate this link has been answering. */
  private long retryAfterMs(Priority lane) {
    long ms = (long) (queuedBytes[lane.code()] * 1000 / Math.max(1, bytesPerSecond));
    return Math.max(10, Math.min(5_000, ms));
  }

  /**
   * The node left: fails everything queued and everything sent but unanswered, at once, so
   * callers reroute what they can instead of waiting for timeouts.
   */
  public void close(MeshException reason) {
    closed = true;
    if (wakeTimer != -1) {
      vertx.cancelTimer(wakeTimer);
    }
    if (silenceTimer != -1) {
      vertx.cancelTimer(silenceTimer);
    }
    List<Outbound> failed = new ArrayList<>(sent);
    sent.clear();
    for (Outbound o : failed) {
      inFlightBytes -= o.size();
      inFlightByLane[o.envelope().priority().code()] -= o.size();
      stats.inFlightBytes[o.envelope().priority().code()].addAndGet(-o.size());
    }
    for (Priority p : Priority.values()) {
      Outbound o;
      while ((o = poll(p)) != null) {
        failed.add(o);
      }
    }
    failed.forEach(o -> o.finish(Future.failedFuture(reason)));
    metrics.close();
  }

  /** Bytes sent on this link so far, per lane ({@code {"CRITICAL": n, ..}}); safe from any thread. */
  public io.vertx.core.json.JsonObject sentBytes() {
    io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject();
    for (Priority p : Priority.values()) {
      json.put(p.name(), sentBytesByLane.get(p.code()));
    }
    return json;
  }

  public String nodeId() {
    return nodeId;
  }

  long queuedBytes(Priority p) {
    return queuedBytes[p.code()];
  }

  long inFlightBytes() {
    return inFlightBytes;
  }

  long inFlightBytes(Priority p) {
    return inFlightByLane[p.code()];
  }
}
