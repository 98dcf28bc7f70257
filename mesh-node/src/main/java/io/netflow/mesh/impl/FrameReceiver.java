package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox's side of the {@link LinkFrame}s peers send: each envelope is taken in the order it was
 * sent ({@link Inbox#take}) and the frame's reply answers every envelope answered at once. When some
 * are still being served, that reply asks for a reply itself; the sender answers at once, and this
 * side holds that message until it has more answers (gathered per turn), which it sends as its
 * reply, and so on until the frame is fully answered. Every answer thus travels as a reply, straight
 * to the sending node, as a request of its own would have.
 *
 * <p>Runs on the inbox's loop; a service may answer from another thread, and its answer joins the
 * loop first.
 */
public final class FrameReceiver {

  private static final Logger LOG = LoggerFactory.getLogger(FrameReceiver.class);
  private static final long CLOCK_GRACE_MS = 1_000;
  /** How long a frame other than CRITICAL may wait for its envelopes' answers before its reply leaves. */
  static final long HOLD_MS = 10;

  private final Context loop;
  private final Inbox inbox;
  private volatile Thread loopThread;

  public FrameReceiver(Context loop, Inbox inbox) {
    this.loop = loop;
    this.inbox = inbox;
  }

  /** A frame on this node's frames address. */
  public void onFrame(Message<LinkFrame> message) {
    loopThread = Thread.currentThread();
    LinkFrame frame = body(message);
    if (frame == null) {
      return;
    }
    List<LinkAnswers.Answer> now = new ArrayList<>(frame.items().size());
    Later later = null;
    long latestDeadline = 0;
    for (LinkFrame.Item item : frame.items()) {
      long seq = item.seq();
      Future<Buffer> answer = item.unreadable() != null ? Future.failedFuture(item.unreadable()) : take(item.envelope());
      if (answer.isComplete()) {
        now.add(LinkAnswers.Answer.of(seq, answer));
        continue;
      }
      now.add(LinkAnswers.Answer.pending(seq));
      if (later == null) {
        later = new Later();
      }
      later.pending++;
      latestDeadline = Math.max(latestDeadline, item.envelope().deadlineMillis());
      Later conversation = later;
      answer.onComplete(ar -> answered(conversation, LinkAnswers.Answer.of(seq, ar)));
    }
    if (later == null) {
      message.reply(new LinkAnswers(now));
      return;
    }
    later.deadlineMillis = latestDeadline;
    boolean critical = !frame.items().isEmpty() && frame.items().get(0).envelope() != null
      && frame.items().get(0).envelope().priority() == Priority.CRITICAL;
    if (critical) {
      // CRITICAL frames answer what they can at once: a fast answer never waits for a slow one.
      later.continueWith(message.replyAndRequest(new LinkAnswers(now), later.options()));
    } else {
      later.hold(message, now);
    }
  }

  /** One envelope, on its own: a bug in taking it costs only its own answer. */
  private Future<Buffer> take(Envelope envelope) {
    try {
      return inbox.take(envelope);
    } catch (RuntimeException bug) {
      LOG.error("Taking envelope {} failed", envelope.id(), bug);
      return Future.failedFuture(new MeshException(ErrorCode.INTERNAL, "the node failed to take the envelope"));
    }
  }

  /** An envelope on this node's inbox address, one per request (from a node of a release before frames). */
  public void onEnvelope(Message<Envelope> message) {
    Envelope envelope = body(message);
    if (envelope == null) {
      return;
    }
    take(envelope).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        MeshException.of(ar.cause()).failOn(message);
      }
    });
  }

  /** The message's body as a peer sent it, or null once the message is answered MALFORMED (it could not be read). */
  private static <T> T body(Message<T> message) {
    try {
      return message.body();
    } catch (MeshException unreadable) {
      unreadable.failOn(message);
      return null;
    }
  }

  private void answered(Later later, LinkAnswers.Answer answer) {
    if (Thread.currentThread() != loopThread) {
      loop.runOnContext(v -> answered(later, answer));
      return;
    }
    later.add(answer);
  }

  /**
   * What is still to answer of one frame, on the inbox's loop: answers gathered this turn, and the
   * sender's message to reply to with them once it has come.
   */
  private final class Later {
    int pending;
    long deadlineMillis;
    private List<LinkAnswers.Answer> ready = new ArrayList<>();
    private Message<LinkAnswers> sender;
    private boolean flushQueued;
    private boolean over;
    /** The frame's own message while its reply is held, and that reply as it fills. */
    private Message<LinkFrame> held;
    private List<LinkAnswers.Answer> firstReply;
    private long holdTimer = -1;

    DeliveryOptions options() {
      // The sender answers at once; waiting much past the frame's last deadline is pointless (the
      // grace covers a sender whose clock runs behind this node's).
      return new DeliveryOptions().setSendTimeout(Math.max(1, deadlineMillis - System.currentTimeMillis()) + CLOCK_GRACE_MS);
    }

    /** The sender's answer to this side's last reply: the message to send the next answers in. */
    void continueWith(Future<Message<LinkAnswers>> next) {
      next.onComplete(this::senderReady);
    }

    private void senderReady(AsyncResult<Message<LinkAnswers>> ar) {
      if (ar.failed()) {
        // The sender is gone or gave up on the frame: its envelopes end by their own timers there.
        over = true;
        ready.clear();
        return;
      }
      sender = ar.result();
      flush();
    }

    /**
     * Holds the frame's reply for at most {@link #HOLD_MS} while its envelopes are served: those
     * answered by then go in it. An answer that leaves later needs the sender's next message, a
     * round trip, which on a busy link can take longer than the service did (a model chunk read
     * from disk).
     */
    void hold(Message<LinkFrame> frame, List<LinkAnswers.Answer> first) {
      held = frame;
      firstReply = first;
      holdTimer = loop.owner().setTimer(HOLD_MS, t -> {
        holdTimer = -1;
        release();
      });
    }

    private void release() {
      Message<LinkFrame> frame = held;
      held = null;
      if (holdTimer != -1) {
        loop.owner().cancelTimer(holdTimer);
        holdTimer = -1;
      }
      LinkAnswers answers = new LinkAnswers(firstReply);
      firstReply = null;
      if (pending == 0) {
        over = true;
        frame.reply(answers);
      } else {
        continueWith(frame.replyAndRequest(answers, options()));
      }
    }

    void add(LinkAnswers.Answer answer) {
      if (over) {
        return;
      }
      pending--;
      if (held != null) {
        for (int i = 0; i < firstReply.size(); i++) {
          if (firstReply.get(i).seq() == answer.seq()) {
            firstReply.set(i, answer);
            break;
          }
        }
        if (pending == 0) {
          release();
        }
        return;
      }
      ready.add(answer);
      if (sender != null && !flushQueued) {
        flushQueued = true;
        loop.runOnContext(v -> flush());
      }
    }

    private void flush() {
      flushQueued = false;
      if (sender == null || ready.isEmpty() || over) {
        return;
      }
      Message<LinkAnswers> to = sender;
      sender = null;
      LinkAnswers answers = new LinkAnswers(ready);
      ready = new ArrayList<>();
      if (pending == 0) {
        over = true;
        to.reply(answers);
      } else {
        continueWith(to.replyAndRequest(answers, options()));
      }
    }
  }
}
