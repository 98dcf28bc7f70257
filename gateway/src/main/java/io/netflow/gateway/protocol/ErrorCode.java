package io.netflow.gateway.protocol;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * The stable error codes of everything that crosses the wire: an event-bus failure carries
 * {@link #code()} as its failure code and an HTTP error body carries it as {@code code}.
 *
 * <p>Names may change, codes may not. New codes are appended; a code is never reused.
 */
public enum ErrorCode {
  INTERNAL(1000, 500, "internal error"),
  MALFORMED(1001, 400, "malformed request"),
  UNAUTHENTICATED(1002, 401, "authentication required"),
  FORBIDDEN(1003, 403, "not permitted"),
  NOT_FOUND(1004, 404, "not found"),
  CONFLICT(1005, 409, "conflict"),
  TOO_LARGE(1006, 413, "too large"),
  RATE_LIMITED(1007, 429, "rate limited"),
  OVERLOADED(1008, 503, "overloaded"),
  NOT_READY(1009, 503, "node not ready"),
  TIMEOUT(1010, 504, "timed out"),
  NO_HANDLERS(1011, 503, "no node serves this address"),
  DRAINING(1012, 503, "node is draining"),
  NO_TARGET(1013, 400, "envelope must name exactly one of service or topic"),
  UNKNOWN_PRIORITY(1014, 400, "unknown priority"),
  DEADLINE_EXCEEDED(1015, 504, "deadline exceeded"),
  NO_SUCH_SERVICE(1016, 404, "no node hosts this service"),
  BAD_SIGNATURE(1017, 400, "signature missing, wrong, or by an untrusted key"),
  INTEGRITY(1018, 400, "content does not match its declared size or hash"),
  DUPLICATE(1019, 409, "this content was already contributed"),
  NOT_CANCELLABLE(1020, 409, "the work item has already finished"),
  LIMIT_REACHED(1021, 429, "a configured limit was reached"),
  RANGE_NOT_SATISFIABLE(1022, 416, "the requested byte range is not satisfiable");

  private final int code;
  private final int httpStatus;
  private final String description;

  ErrorCode(int code, int httpStatus, String description) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.description = description;
  }

  /** The stable numeric code. */
  public int code() {
    return code;
  }

  /** The HTTP status this error maps to. */
  public int httpStatus() {
    return httpStatus;
  }

  /** A short, human description of the class of error. */
  public String description() {
    return description;
  }

  /** The code with this number, or {@code null} when there is none (an older peer, a new code). */
  public static ErrorCode forCode(int code) {
    for (ErrorCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return null;
  }

  /**
   * Classifies an event-bus failure: Vert.x's own {@code TIMEOUT} and {@code NO_HANDLERS} map to
   * their codes, a {@code RECIPIENT_FAILURE} to the code the recipient failed with.
   */
  public static ErrorCode of(Throwable failure) {
    if (failure instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return TIMEOUT;
      }
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return NO_HANDLERS;
      }
      ErrorCode c = forCode(re.failureCode());
      return c == null ? INTERNAL : c;
    }
    return INTERNAL;
  }

  /** Fails an event-bus message with this code. */
  public void fail(Message<?> message, String detail) {
    message.fail(code, detail);
  }

  /** The JSON error body every HTTP error carries: {@code {code, error, message}}. */
  public JsonObject toJson(String detail) {
    return new JsonObject().put("code", code).put("error", name()).put("message", detail == null ? description : detail);
  }
}
