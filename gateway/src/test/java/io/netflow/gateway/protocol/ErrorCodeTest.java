package io.netflow.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

  /** Codes are a wire contract: this table may grow, but no row may change. */
  private static final Map<String, Integer> PUBLISHED = new LinkedHashMap<>();

  static {
    PUBLISHED.put("INTERNAL", 1000);
    PUBLISHED.put("MALFORMED", 1001);
    PUBLISHED.put("UNAUTHENTICATED", 1002);
    PUBLISHED.put("FORBIDDEN", 1003);
    PUBLISHED.put("NOT_FOUND", 1004);
    PUBLISHED.put("CONFLICT", 1005);
    PUBLISHED.put("TOO_LARGE", 1006);
    PUBLISHED.put("RATE_LIMITED", 1007);
    PUBLISHED.put("OVERLOADED", 1008);
    PUBLISHED.put("NOT_READY", 1009);
    PUBLISHED.put("TIMEOUT", 1010);
    PUBLISHED.put("NO_HANDLERS", 1011);
    PUBLISHED.put("DRAINING", 1012);
    PUBLISHED.put("NO_TARGET", 1013);
    PUBLISHED.put("UNKNOWN_PRIORITY", 1014);
    PUBLISHED.put("DEADLINE_EXCEEDED", 1015);
    PUBLISHED.put("NO_SUCH_SERVICE", 1016);
    PUBLISHED.put("BAD_SIGNATURE", 1017);
    PUBLISHED.put("INTEGRITY", 1018);
    PUBLISHED.put("DUPLICATE", 1019);
    PUBLISHED.put("NOT_CANCELLABLE", 1020);
    PUBLISHED.put("LIMIT_REACHED", 1021);
    PUBLISHED.put("RANGE_NOT_SATISFIABLE", 1022);
  }

  @Test
  void publishedCodesNeverChange() {
    PUBLISHED.forEach((name, code) -> assertThat(ErrorCode.forCode(code)).as(name).isNotNull());
    assertThat(ErrorCode.values()).hasSize(PUBLISHED.size());
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::code).distinct().count())
      .isEqualTo(ErrorCode.values().length);
  }

  @Test
  void eventBusFailuresAreClassifiedByType() {
    assertThat(ErrorCode.of(new ReplyException(ReplyFailure.TIMEOUT, "t"))).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(ErrorCode.of(new ReplyException(ReplyFailure.NO_HANDLERS, "n"))).isEqualTo(ErrorCode.NO_HANDLERS);
    assertThat(ErrorCode.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 1008, "o"))).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(ErrorCode.of(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 42, "?"))).isEqualTo(ErrorCode.INTERNAL);
    assertThat(ErrorCode.of(new IllegalStateException())).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void jsonBodyCarriesCodeNameAndMessage() {
    assertThat(ErrorCode.TOO_LARGE.toJson("body over 1 MiB").encode())
      .isEqualTo("{\"code\":1006,\"error\":\"TOO_LARGE\",\"message\":\"body over 1 MiB\"}");
  }
}
