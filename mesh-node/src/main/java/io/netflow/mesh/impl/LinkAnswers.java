package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.ImmutableCodec;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers to the envelopes of a {@link LinkFrame}, each by its sequence number: the frame's reply
 * answers every one of its envelopes (some only with "pending"), and the pending ones are answered
 * later, batched per turn, in replies further along the frame's conversation ({@link FrameReceiver}).
 *
 * <pre>
 * byte    version (1)
 * int     answer count, then per answer:
 *   long  sequence number
 *   byte  0 = answered, 1 = failed, 2 = pending
 *   answered: int length (-1: none), then the body
 *   failed:   int error code, then the message (int length + UTF-8)
 * </pre>
 *
 * @param unreadable why answers that came off the wire could not be read, else null: the event bus
 *                   reads a reply's body before the requester sees it, so a codec that threw would
 *                   leave the frame's envelopes waiting for ever
 */
public record LinkAnswers(List<Answer> answers, String unreadable) {

  public LinkAnswers(List<Answer> answers) {
    this(answers, null);
  }

  private static final byte ANSWERED = 0;
  private static final byte FAILED = 1;
  private static final byte PENDING = 2;

  /** One envelope's answer: its body, or its failure (code and wire message), or that it comes later. */
  public record Answer(long seq, byte kind, Buffer body, int code, String message) {

    /** The envelope's outcome, as a failed {@code request} on the event bus would have given it. */
    public static Answer of(long seq, AsyncResult<Buffer> outcome) {
      if (outcome.succeeded()) {
        return new Answer(seq, ANSWERED, outcome.result(), 0, null);
      }
      MeshException failure = MeshException.of(outcome.cause());
      return new Answer(seq, FAILED, null, failure.code().code(), failure.wireMessage());
    }

    public static Answer pending(long seq) {
      return new Answer(seq, PENDING, null, 0, null);
    }

    public boolean isPending() {
      return kind == PENDING;
    }

    /**
     * The outcome for the caller: a failure reads as the {@link ReplyException} the event bus gives
     * a failed request, so {@link MeshException#of} finds its code and retry hint.
     */
    public Future<Buffer> outcome() {
      return kind == ANSWERED ? Future.succeededFuture(body)
        : Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message));
    }
  }

  /** The answers' binary form; within one node they are passed as is. */
  public static final class Codec extends ImmutableCodec<LinkAnswers> {

    /** The codec's registered name: part of the protocol between nodes, never changed. */
    public static final String NAME = "netflow.link-answers";
    private static final byte VERSION = 1;

    public Codec() {
      super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, LinkAnswers answers) {
      buffer.appendByte(VERSION).appendInt(answers.answers().size());
      for (Answer a : answers.answers()) {
        buffer.appendLong(a.seq()).appendByte(a.kind());
        if (a.kind() == ANSWERED && a.body() == null) {
          buffer.appendInt(-1);
        } else if (a.kind() == ANSWERED) {
          buffer.appendInt(a.body().length()).appendBuffer(a.body());
        } else if (a.kind() == FAILED) {
          buffer.appendInt(a.code());
          LinkFrame.Wire.appendString(buffer, a.message());
        }
      }
    }

    /** Reads answers a peer sent; truncated or corrupt ones come back {@link #unreadable()}, never as an exception. */
    @Override
    public LinkAnswers decodeFromWire(int pos, Buffer buffer) {
      try {
        return decode(pos, buffer);
      } catch (MeshException corrupt) {
        return new LinkAnswers(List.of(), corrupt.getMessage());
      }
    }

    private LinkAnswers decode(int pos, Buffer buffer) {
      try {
        if (buffer.getByte(pos) != VERSION) {
          throw new MeshException(ErrorCode.MALFORMED, "link answers wire version " + buffer.getByte(pos) + " is not supported");
        }
        int count = buffer.getInt(pos + 1);
        int[] at = {pos + 5};
        if (count < 0 || count > (buffer.length() - at[0]) / 9) {
          throw new MeshException(ErrorCode.MALFORMED, "link answers claim " + count + " answers");
        }
        List<Answer> answers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          long seq = buffer.getLong(at[0]);
          byte kind = buffer.getByte(at[0] + 8);
          at[0] += 9;
          switch (kind) {
            case ANSWERED -> {
              int length = buffer.getInt(at[0]);
              if (length < -1 || length > buffer.length() - at[0] - 4) {
                throw new MeshException(ErrorCode.MALFORMED, "answer of " + length + " bytes overruns the frame");
              }
              // -1: the service answered null, which the caller gets as it would on the answering node.
              answers.add(new Answer(seq, ANSWERED, length < 0 ? null : buffer.getBuffer(at[0] + 4, at[0] + 4 + length), 0,
                null));
              at[0] += 4 + Math.max(0, length);
            }
            case FAILED -> {
              int code = buffer.getInt(at[0]);
              at[0] += 4;
              answers.add(new Answer(seq, FAILED, null, code, LinkFrame.Wire.readString(buffer, at)));
            }
            case PENDING -> answers.add(Answer.pending(seq));
            default -> throw new MeshException(ErrorCode.MALFORMED, "answer kind " + kind + " is not one of ours");
          }
        }
        return new LinkAnswers(answers);
      } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
        throw new MeshException(ErrorCode.MALFORMED, "truncated or corrupt link answers: " + e.getClass().getSimpleName());
      }
    }
  }
}
