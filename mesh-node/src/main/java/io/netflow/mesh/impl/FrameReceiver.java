package io.netflow.mesh.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inbox's side of the {@link LinkFrame}s peers send: each envelope is taken in the order it was
 * sent ({@link Inbox#take}), the frame's reply answers every envelope answered at once, and the
 * others are answered once they are, batched per turn, in one {@link LinkAnswers} per sending shard.
 *
 * <p>Runs on the inbox's loop; a service may answer from another thread, and its answer joins the
 * loop first.
 */
public final class FrameReceiver {

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
    LinkFrame frame = message.body();
    List<LinkAnswers.Answer> now = new ArrayList<>(frame.items().size());
    for (LinkFrame.Item item : frame.items()) {
      long seq = item.seq();
      Future<Buffer> answer = item.unreadable() != null ? Future.failedFuture(item.unreadable()) : inbox.take(item.envelope());
      if (answer.isComplete()) {
        now.add(LinkAnswers.Answer.of(seq, answer));
      } else {
        now.add(LinkAnswers.Answer.pending(seq));
        answer.onComplete(ar -> answerLater(frame.replyTo(), LinkAnswers.Answer.of(seq, ar)));
      }
    }
    message.reply(new LinkAnswers(now));
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
