package io.netflow.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

  private final EnvelopeCodec codec = new EnvelopeCodec();

  private Envelope roundTrip(Envelope e) {
    Buffer wire = Buffer.buffer().appendString("prefix");
    codec.encodeToWire(wire, e);
    return codec.decodeFromWire(6, wire);
  }

  @Test
  void wireFormRoundTripsEveryField() {
    Envelope e = Envelope.toService("ai-inference").id("id-1").key("player-7").priority(Priority.HIGH)
      .deadlineMillis(123_456_789L).headers(Map.of("model", "v3", "ü", "ß")).payload(Buffer.buffer(new byte[]{0, 1, 2, -1}))
      .build().withOrigin("node-a");
    Envelope back = roundTrip(e);
    assertThat(back).usingRecursiveComparison().isEqualTo(e);
    Envelope topic = Envelope.toTopic("match.positions").priority(Priority.BULK).build();
    Envelope topicBack = roundTrip(topic);
    assertThat(topicBack.topic()).isEqualTo("match.positions");
    assertThat(topicBack.service()).isNull();
    assertThat(topicBack.key()).isNull();
    assertThat(topicBack.origin()).isNull();
  }

  @Test
  void theNameCheckAgreesWithTheDocumentedPatternOnEveryCharacterAndLength() {
    java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of("", "a", "9", "a" + "b".repeat(127),
      "a" + "b".repeat(128), "ai-inference", "match.positions", "x_y", ".a", "-a", "_a", "A", "aB", "a b", "a/b", "é"));
    for (char c = 0; c < 256; c++) {
      names.add(String.valueOf(c));
      names.add("a" + c);
    }
    for (String name : names) {
      assertThat(Envelope.isName(name)).as("'%s'", name).isEqualTo(Envelope.NAME.matcher(name).matches());
    }
  }

  @Test
  void unknownWireVersionOrPriorityIsRefused() {
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, Envelope.toService("s").build());
    wire.setByte(0, (byte) 9);
    assertThatThrownBy(() -> codec.decodeFromWire(0, wire)).isInstanceOfSatisfying(MeshException.class,
      x -> assertThat(x.code()).isEqualTo(ErrorCode.MALFORMED));
    wire.setByte(0, (byte) 1);
    wire.setByte(1, (byte) 17);
    assertThatThrownBy(() -> codec.decodeFromWire(0, wire)).isInstanceOfSatisfying(MeshException.class,
      x -> assertThat(x.code()).isEqualTo(ErrorCode.UNKNOWN_PRIORITY));
  }

  @Test
  void validationGivesEachProblemItsCode() {
    long now = System.currentTimeMillis();
    assertCode(() -> new Envelope("i", "a", "b", null, Priority.NORMAL, now + 1000, null, null, null).validate(10, now),
      ErrorCode.NO_TARGET);
    assertCode(() -> Envelope.toService("UPPER").build().validate(10, now), ErrorCode.MALFORMED);
    assertCode(() -> Envelope.toService("s").payload("12345678901").build().validate(10, now), ErrorCode.TOO_LARGE);
    assertCode(() -> Envelope.toService("s").deadlineMillis(now).build().validate(10, now), ErrorCode.DEADLINE_EXCEEDED);
    assertCode(() -> Envelope.toService("s").id("x".repeat(129)).build().validate(10, now), ErrorCode.MALFORMED);
    assertThat(Envelope.toService("s").payload("1234567890").build().validate(10, now)).isNotNull();
  }

  @Test
  void retryAfterSurvivesTheEventBus() {
    MeshException x = new MeshException(ErrorCode.OVERLOADED, "queue full", 250);
    var onBus = new io.vertx.core.eventbus.ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE,
      x.code().code(), x.wireMessage());
    MeshException back = MeshException.of(onBus);
    assertThat(back.code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(back.retryAfterMs()).isEqualTo(250);
    assertThat(back.getMessage()).isEqualTo("queue full");
  }

  private static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(MeshException.class, x -> assertThat(x.code()).isEqualTo(code));
  }
}
