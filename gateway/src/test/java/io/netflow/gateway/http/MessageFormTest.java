package io.netflow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What a client is told of a message it sent, as the HTTP API writes it. */
class MessageFormTest {

  @Test
  void anAnswerWrittenStraightIsTheJsonOfTheAnswer() {
    String awkward = "quote \" backslash \\ newline \n tab \t control \u0001 unicode é \u2028 emoji \uD83C\uDFAE";
    MessageForm.Answer[] answers = {
      new MessageForm.Answer("m-1", "node-a", null, null),
      new MessageForm.Answer(awkward, "node-a", null, null),
      new MessageForm.Answer("m-2", null, null, null),
      new MessageForm.Answer("m-3", "node-b", 2, awkward),
      new MessageForm.Answer("m-4", "node-b", 1, ""),
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
