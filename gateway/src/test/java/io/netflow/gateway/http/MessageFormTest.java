package io.netflow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A message as clients send it (HTTP bodies streamed, WebSocket frames parsed), and what they are told of it. */
class MessageFormTest {

  private static MessageForm both(String json) {
    MessageForm streamed = MessageForm.parse(Buffer.buffer(json), 5_000);
    MessageForm fromTree = MessageForm.parse(new JsonObject(json), 5_000);
    assertThat(streamed).usingRecursiveComparison().ignoringFields(json.contains("\"id\"") ? "" : "id")
      .isEqualTo(fromTree);
    return streamed;
  }

  private static ErrorCode refusal(String json) {
    ErrorCode streamed = code(() -> MessageForm.parse(Buffer.buffer(json), 5_000));
    ErrorCode fromTree;
    try {
      fromTree = code(() -> MessageForm.parse(new JsonObject(json), 5_000));
    } catch (io.vertx.core.json.DecodeException | ClassCastException notAnObject) {
      return streamed; // not a JSON object: a WebSocket frame like it never gets this far
    }
    assertThat(streamed).as(json).isEqualTo(fromTree);
    return streamed;
  }

  private static ErrorCode code(Runnable parse) {
    try {
      parse.run();
    } catch (MeshException e) {
      return e.code();
    }
    throw new AssertionError("accepted");
  }

  @Test
  void aMessageIsReadTheSameStreamedOrFromATree() {
    MessageForm m = both("{\"op\":\"send\",\"id\":\"m-1\",\"service\":\"ingest\",\"key\":\"p7\",\"priority\":\"high\","
      + "\"timeoutMs\":250,\"headers\":{\"trace\":\"t1\"},\"payload\":\"h\\u00e9\",\"extra\":{\"deep\":[1,{\"x\":null}]}}");
    assertThat(m.id()).isEqualTo("m-1");
    assertThat(m.service()).isEqualTo("ingest");
    assertThat(m.key()).isEqualTo("p7");
    assertThat(m.priority()).isEqualTo(Priority.HIGH);
    assertThat(m.timeoutMs()).isEqualTo(250);
    assertThat(m.headers()).isEqualTo(Map.of("trace", "t1"));
    assertThat(m.payload().toString()).isEqualTo("hé");

    MessageForm defaults = both("{\"topic\":\"match-1\",\"payloadBase64\":\"AAEC\",\"key\":null,\"priority\":null}");
    assertThat(defaults.id()).isNotEmpty();
    assertThat(defaults.priority()).isEqualTo(Priority.NORMAL);
    assertThat(defaults.timeoutMs()).isEqualTo(5_000);
    assertThat(defaults.headers()).isEmpty();
    assertThat(defaults.payload().getBytes()).containsExactly(0, 1, 2);
    // The later of two fields of one name wins, as in a JSON object.
    assertThat(both("{\"service\":\"a\",\"service\":\"b\"}").service()).isEqualTo("b");
  }

  @Test
  void wrongTypesAndBadJsonAreRefusedWithTheirCode() {
    String[] malformed = {
      "", "   ", "[]", "\"text\"", "42", "{", "{\"service\":\"a\"} trailing", "{\"service\":\"a\"}{}", "{\"service\":'a'}",
      "{\"service\":5}", "{\"service\":true}", "{\"service\":{\"a\":1}}", "{\"service\":[\"a\"]}",
      "{\"service\":\"a\",\"payload\":{}}", "{\"service\":\"a\",\"id\":7}", "{\"service\":\"a\",\"key\":[]}",
      "{\"service\":\"a\",\"timeoutMs\":\"soon\"}", "{\"service\":\"a\",\"timeoutMs\":1.5}", "{\"service\":\"a\",\"timeoutMs\":0}",
      "{\"service\":\"a\",\"timeoutMs\":99999999999999999999999}", "{\"service\":\"a\",\"timeoutMs\":-99999999999999999999999}",
      "{\"service\":\"a\",\"headers\":\"x\"}", "{\"service\":\"a\",\"headers\":{\"h\":1}}",
      "{\"service\":\"a\",\"headers\":{\"h\":null}}", "{\"service\":\"a\",\"headers\":{\"h\":{}}}",
      "{\"service\":\"a\",\"payloadBase64\":\"%%%\"}", "{\"service\":\"Not A Name\"}",
    };
    for (String json : malformed) {
      assertThat(refusal(json)).as(json).isEqualTo(ErrorCode.MALFORMED);
    }
    assertThat(refusal("{}")).isEqualTo(ErrorCode.NO_TARGET);
    assertThat(refusal("{\"service\":\"a\",\"topic\":\"b\"}")).isEqualTo(ErrorCode.NO_TARGET);
    assertThat(refusal("{\"service\":null,\"payload\":\"x\"}")).isEqualTo(ErrorCode.NO_TARGET);
    assertThat(refusal("{\"service\":\"a\",\"priority\":\"urgent\"}")).isEqualTo(ErrorCode.UNKNOWN_PRIORITY);
  }

  @Test
  void anAnswerWrittenStraightIsTheJsonOfTheAnswer() {
    String awkward = "quote \" backslash \\ newline \n tab \t control \u0001 unicode é \u2028 emoji \uD83C\uDFAE";
    MessageForm.Answer[] answers = {
      new MessageForm.Answer("m-1", "node-a", null, null),
      new MessageForm.Answer(awkward, "node-a", null, null),
      new MessageForm.Answer("m-2", null, null, null),
      new MessageForm.Answer("m-3", "node-b", 2, awkward),
      new MessageForm.Answer("m-4", "node-b", 1, ""),
      // Printable ASCII is copied as it is; DEL and a space's neighbours at the edges of that range.
      new MessageForm.Answer(" !/~", "del \u007f", 1, "\u001f"),
    };
    for (MessageForm.Answer a : answers) {
      String written = a.encode();
      assertThat(new JsonObject(written)).as(written).isEqualTo(a.toJson());
      assertThat(written).isEqualTo(a.toJson().encode());
    }
  }

  @Test
  void fieldsThatDoNotApplyAreLeftOut() {
    assertThat(new JsonObject(new MessageForm.Answer("m-1", null, null, null).encode()).fieldNames())
      .containsExactly("id");
    assertThat(new JsonObject(new MessageForm.Answer("m-1", "n", null, null).encode()).fieldNames())
      .containsExactly("id", "node");
    assertThat(new JsonObject(new MessageForm.Answer("m-1", "n", 3, "ok").encode()).getInteger("attempts")).isEqualTo(3);
  }
}
