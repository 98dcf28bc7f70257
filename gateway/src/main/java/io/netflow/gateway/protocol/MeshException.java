package io.netflow.gateway.protocol;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * A failure with its stable {@link ErrorCode} and, for OVERLOADED and RATE_LIMITED, how long the
 * caller should wait before trying again.
 *
 * <p>Across the event bus it travels as a {@link ReplyException} whose failure code is the error
 * code and whose message is {@code "<retryAfterMs>|<message>"}; {@link #of(Throwable)} reads it back.
 */
public class MeshException extends RuntimeException {

  private final ErrorCode code;
  private final long retryAfterMs;

  public MeshException(ErrorCode code, String message) {
    this(code, message, 0);
  }

  public MeshException(ErrorCode code, String message, long retryAfterMs) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfterMs = Math.max(0, retryAfterMs);
  }

  public ErrorCode code() {
    return code;
  }

  /** Milliseconds to wait before retrying; 0 when there is no hint. */
  public long retryAfterMs() {
    return retryAfterMs;
  }

  /**
   * The error body HTTP answers and WebSocket frames carry: {@code {code, error, message}}, and
   * {@code retryAfterMs} when the mesh said how long to wait.
   */
  public JsonObject toJson() {
    JsonObject json = code.toJson(getMessage());
    return retryAfterMs > 0 ? json.put("retryAfterMs", retryAfterMs) : json;
  }

  /** The failure message to put on the event bus ({@code message.fail(code, wireMessage())}). */
  public String wireMessage() {
    return retryAfterMs + "|" + getMessage();
  }

  /** Answers {@code message} with this failure: its code, and its wire message ({@link #of} reads both back). */
  public void failOn(Message<?> message) {
    message.fail(code.code(), wireMessage());
  }

  /** Reads any failure as a MeshException, keeping Vert.x's TIMEOUT and NO_HANDLERS apart. */
  public static MeshException of(Throwable failure) {
    if (failure instanceof MeshException me) {
      return me;
    }
    ErrorCode code = ErrorCode.of(failure);
    String message = failure.getMessage() == null ? code.description() : failure.getMessage();
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      int bar = message.indexOf('|');
      if (bar > 0) {
        try {
          return new MeshException(code, message.substring(bar + 1), Long.parseLong(message.substring(0, bar)));
        } catch (NumberFormatException ignored) {
          // not one of ours: keep the whole message
        }
      }
    }
    return new MeshException(code, message);
  }

  @Override
  public String toString() {
    return code + ": " + getMessage() + (retryAfterMs > 0 ? " (retry after " + retryAfterMs + " ms)" : "");
  }
}
