package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.lanes.Transmitter;
import io.netflow.mesh.MeshAddresses;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wire under one shard's links: what they send to a node in one turn of the shard's loop
 * leaves as one {@link LinkFrame}, one event-bus request, and its answers come back together in
 * the reply. A busy link thus pays Vert.x's per-message costs (the reply handler and its timer, the
 * codec, the socket write, the bus metrics) once per turn instead of once per envelope, as HTTP/2
 * and gRPC put many streams in one write. Envelopes the node cannot answer at once are answered
 * later, batched per turn, in replies along the frame's own conversation ({@link #awaitLater}).
 *
 * <p>Each envelope keeps its own timeout and its own outcome: the frame's request waits as long
 * as its longest; a shorter one, and one still pending when the reply comes, has a timer of its
 * own. A frame that fails (no handlers at the node, no reply in time) fails what of it is still
 * unanswered with that failure, as a request of its own would have.
 *
 * <p>Confined to the shard's loop: {@link #send} is called on it only, and answers are taken on it.
 */
public final class FrameSender implements Transmitter {

  private static final Logger LOG = LoggerFactory.getLogger(FrameSender.class);

  private static final class Pending {
    final long seq;
    final Envelope envelope;
    final long timeoutMs;
    final Promise<Buffer> promise = Promise.promise();
    /** When the link sent it: its timeout runs from here, not from the end of the turn. */
    final long sentNanos = System.nanoTime();
    long timer = -1;

    Pending(long seq, Envelope envelope, long timeoutMs) {
      this.seq = seq;
      this.envelope = envelope;
      this.timeoutMs = timeoutMs;
    }
  }

  private final Vertx vertx;
  private final Context loop;
  /**
   * What this turn's sends hold, per destination, in the order they were sent: CRITICAL apart, in a
   * frame of its own, so that its answers never wait in a reply behind large ones (model chunks).
   */
  private final Map<String, List<Pending>> outgoing = new LinkedHashMap<>();
  private final Map<String, List<Pending>> outgoingCritical = new LinkedHashMap<>();
  private boolean flushQueued;
  /** Every envelope sent and not yet settled, by sequence number. */
  private final Map<Long, Pending> unsettled = new HashMap<>();
  /**
   * Starts anywhere: answers are matched within their own frame's replies, and a random start keeps
   * the numbers of a data plane deployed again on the same node apart from its predecessor's.
   */
  private long nextSeq = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;

  /** @param loop the shard's loop: frames leave at the end of its turn, and their answers are taken on it */
  public FrameSender(Vertx vertx, Context loop) {
    this.vertx = vertx;
    this.loop = loop;
  }

  @Override
  public Future<Buffer> send(String node, Envelope envelope, long timeoutMs) {
    Pending p = new Pending(nextSeq++, envelope, Math.max(1, timeoutMs));
    unsettled.put(p.seq, p);
    (envelope.priority() == Priority.CRITICAL ? outgoingCritical : outgoing).computeIfAbsent(node, n -> new ArrayList<>())
      .add(p);
    if (!flushQueued) {
      flushQueued = true;
      loop.runOnContext(v -> flush());
    }
    return p.promise.future();
  }

  /** The end of the turn: each destination's envelopes leave as one frame. */
  private void flush() {
    flushQueued = false;
    List<Map.Entry<String, List<Pending>>> frames = new ArrayList<>(outgoingCritical.entrySet());
    frames.addAll(outgoing.entrySet());
    outgoingCritical.clear();
    outgoing.clear();
    for (Map.Entry<String, List<Pending>> frame : frames) {
      try {
        send(frame.getKey(), frame.getValue());
      } catch (RuntimeException bug) {
        settleAll(frame.getValue(), bug);
      }
    }
  }

  private void send(String node, List<Pending> items) {
    long now = System.nanoTime();
    long longest = 1;
    List<LinkFrame.Item> wire = new ArrayList<>(items.size());
    for (Pending p : items) {
      longest = Math.max(longest, left(p, now));
      wire.add(new LinkFrame.Item(p.seq, p.envelope));
    }
    for (Pending p : items) {
      if (left(p, now) < longest) {
        expireAfter(p, left(p, now));
      }
    }
    vertx.eventBus().<LinkAnswers>request(MeshAddresses.frames(node), new LinkFrame(wire),
      new DeliveryOptions().setSendTimeout(longest)).onComplete(ar -> replied(node, items, ar));
  }

  /** Milliseconds left of {@code p}'s timeout, at least 1. */
  private static long left(Pending p, long nowNanos) {
    return Math.max(1, p.timeoutMs - TimeUnit.NANOSECONDS.toMillis(nowNanos - p.sentNanos));
  }

  private void replied(String node, List<Pending> items, AsyncResult<Message<LinkAnswers>> reply) {
    try {
      if (reply.failed()) {
        if (ErrorCode.of(reply.cause()) == ErrorCode.NO_HANDLERS) {
          oneByOne(node, items, reply.cause());
        } else {
          settleAll(items, reply.cause());
        }
        return;
      }
      LinkAnswers body = reply.result().body();
      if (body.unreadable() != null) {
        settleAll(items, new MeshException(ErrorCode.MALFORMED, "the node's answers could not be read: " + body.unreadable()));
        return;
      }
      List<LinkAnswers.Answer> answers = body.answers();
      List<Pending> pending = new ArrayList<>();
      for (int i = 0; i < items.size() && i < answers.size(); i++) {
        Pending p = items.get(i);
        if (answers.get(i).seq() == p.seq && answers.get(i).isPending() && unsettled.containsKey(p.seq)) {
          pending.add(p);
          if (p.timer == -1) {
            expireAfter(p, left(p, System.nanoTime()));
          }
        }
      }
      // Asked for the rest first, then the callers hear: their callbacks must not delay it.
      awaitLater(pending, reply.result());
      answered(items, answers);
    } catch (RuntimeException unreadable) {
      // A reply that cannot be read: nothing of the frame may wait for ever.
      settleAll(items, unreadable);
    }
  }

  /**
   * Envelopes of the frame the node answers later: their answers come back as replies too, never
   * through the cluster's list of consumers (which a member leaving or a merge can empty for a
   * moment, and an answer lost there would have the request tried again on another node). A reply
   * that leaves envelopes pending asks for a reply itself; this side answers it at once ("send the
   * rest"), and the node holds that message until it has more answers, which it sends as its reply.
   */
  private void awaitLater(List<Pending> pending, Message<LinkAnswers> reply) {
    if (reply.replyAddress() == null || pending.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    long longest = 0;
    for (Pending p : pending) {
      longest = Math.max(longest, left(p, now));
    }
    reply.<LinkAnswers>replyAndRequest(null, new DeliveryOptions().setSendTimeout(longest)).onComplete(ar -> {
      if (ar.failed()) {
        // Nothing more is coming on this frame: what is still pending ends by its own timer.
        return;
      }
      LinkAnswers more = ar.result().body();
      if (more.unreadable() != null) {
        settleAll(pending, new MeshException(ErrorCode.MALFORMED, "the node's answers could not be read: " + more.unreadable()));
        return;
      }
      Map<Long, LinkAnswers.Answer> given = new HashMap<>();
      for (LinkAnswers.Answer a : more.answers()) {
        if (!a.isPending()) {
          given.put(a.seq(), a);
        }
      }
      // Only what is still to come is kept waiting (not the whole frame's envelopes and payloads).
      List<Pending> still = new ArrayList<>();
      for (Pending p : pending) {
        if (unsettled.containsKey(p.seq) && !given.containsKey(p.seq)) {
          still.add(p);
        }
      }
      awaitLater(still, ar.result());
      for (Pending p : pending) {
        LinkAnswers.Answer a = given.get(p.seq);
        if (a != null) {
          settle(p, a.outcome());
        }
      }
    });
  }

  /**
   * A node that takes no frames: one that left (each envelope then fails NO_HANDLERS too, as a
   * request of its own would have), or one running a release from before frames, which takes
   * envelopes one by one on its inbox: a mesh can be upgraded node by node.
   */
  private void oneByOne(String node, List<Pending> items, Throwable noFrames) {
    long now = System.nanoTime();
    for (Pending p : items) {
      if (unsettled.containsKey(p.seq)) {
        vertx.eventBus().<Buffer>request(MeshAddresses.inbox(node), p.envelope, new DeliveryOptions().setSendTimeout(left(p, now)))
          .onComplete(ar -> settle(p, ar.succeeded() ? Future.succeededFuture(ar.result().body()) : Future.failedFuture(
            ErrorCode.of(ar.cause()) == ErrorCode.NO_HANDLERS ? noFrames : ar.cause())));
      }
    }
  }

  private void settleAll(List<Pending> items, Throwable failure) {
    Future<Buffer> failed = Future.failedFuture(failure);
    items.forEach(p -> settle(p, failed));
  }

  private void answered(List<Pending> items, List<LinkAnswers.Answer> answers) {
    for (int i = 0; i < items.size(); i++) {
      Pending p = items.get(i);
      LinkAnswers.Answer a = i < answers.size() ? answers.get(i) : null;
      if (a == null || a.seq() != p.seq) {
        settle(p, Future.failedFuture(new ReplyException(ReplyFailure.ERROR, "the node's reply did not answer envelope "
          + p.envelope.id())));
      } else if (!a.isPending()) {
        settle(p, a.outcome());
      }
    }
  }

  private void expireAfter(Pending p, long ms) {
    p.timer = vertx.setTimer(Math.max(1, ms), t -> {
      p.timer = -1;
      settle(p, Future.failedFuture(new ReplyException(ReplyFailure.TIMEOUT, "Timed out after waiting " + p.timeoutMs
        + "(ms) for the answer to envelope " + p.envelope.id())));
    });
  }

  /** The envelope's outcome, once: the first of its answer, its frame's failure and its timer. */
  private void settle(Pending p, Future<Buffer> outcome) {
    if (unsettled.remove(p.seq) == null) {
      return;
    }
    if (p.timer != -1) {
      vertx.cancelTimer(p.timer);
      p.timer = -1;
    }
    try {
      p.promise.handle(outcome);
    } catch (RuntimeException bug) {
      // A caller's callback threw: the other envelopes of its frame still hear.
      LOG.error("A data-plane callback failed", bug);
    }
  }

  /** Envelopes sent and not yet answered, failed or timed out. */
  int unsettled() {
    return unsettled.size();
  }
}
