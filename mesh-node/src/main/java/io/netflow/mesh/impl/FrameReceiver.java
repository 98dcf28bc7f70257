package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox's side of the {@link LinkFrame}s peers send: each envelope is taken in the order it was
 * sent ({@link Inbox#take}), the frame's reply answers every envelope answered at once, and the
 * others are answered once they are, batched per turn, in one {@link LinkAnswers} per sending shard.
 *
 * <p>Runs on the inbox's loop; a service may answer from another thread, and its answer joins the
 * loop first.
 */
public final class FrameReceiver {

  private static final Logger LOG = LoggerFactory.getLogger(FrameReceiver.class);

  private final Vertx vertx;
  private final Context loop;
  private final Inbox inbox;
  private volatile Thread loopThread;
  /** Answers given this turn, per answers address. */
  private final Map<String, List<LinkAnswers.Answer>> later = new LinkedHashMap<>();
  private boolean flushQueued;

  public FrameReceiver(Vertx vertx, Context loop, Inbox inbox) {
    this.vertx = vertx;
    this.loop = loop;
    this.inbox = inbox;
  }

  /** A frame on this node's inbox address. */
  public void onFrame(Message<LinkFrame> message) {
    loopThread = Thread.currentThread();
    LinkFrame frame;
    try {
      frame = message.body();
    } catch (MeshException unreadable) {
      message.fail(unreadable.code().code(), unreadable.wireMessage());
      return;
    }
    List<LinkAnswers.Answer> now = new ArrayList<>(frame.items().size());
    for (LinkFrame.Item item : frame.items()) {
      long seq = item.seq();
      Future<Buffer> answer = item.unreadable() != null ? Future.failedFuture(item.unreadable()) : take(item.envelope());
      if (answer.isComplete()) {
        now.add(LinkAnswers.Answer.of(seq, answer));
      } else {
        now.add(LinkAnswers.Answer.pending(seq));
        answer.onComplete(ar -> answerLater(frame.replyTo(), LinkAnswers.Answer.of(seq, ar)));
      }
    }
    message.reply(new LinkAnswers(now));
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
    Envelope envelope;
    try {
      envelope = message.body();
    } catch (MeshException unreadable) {
      message.fail(unreadable.code().code(), unreadable.wireMessage());
      return;
    }
    take(envelope).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        MeshException failure = MeshException.of(ar.cause());
        message.fail(failure.code().code(), failure.wireMessage());
      }
    });
  }

  private void answerLater(String replyTo, LinkAnswers.Answer answer) {
    if (Thread.currentThread() != loopThread) {
      loop.runOnContext(v -> answerLater(replyTo, answer));
      return;
    }
    later.computeIfAbsent(replyTo, r -> new ArrayList<>()).add(answer);
    if (!flushQueued) {
      flushQueued = true;
      loop.runOnContext(v -> flush());
    }
  }

  private void flush() {
    flushQueued = false;
    List<Map.Entry<String, List<LinkAnswers.Answer>>> batches = new ArrayList<>(later.entrySet());
    later.clear();
    for (Map.Entry<String, List<LinkAnswers.Answer>> batch : batches) {
      vertx.eventBus().send(batch.getKey(), new LinkAnswers(batch.getValue()));
    }
  }
}
