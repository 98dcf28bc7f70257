package io.netflow.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.RequestSchema;
import io.netflow.rewards.Contribution;
import io.netflow.scheduling.impl.WorkRequests;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The request schemas the capabilities check what clients submit against. */
class RequestSchemasTest {

  private static final String HASH = "a".repeat(64);

  @Test
  void acceptsAWellFormedWorkRequest() {
    JsonObject ok = new JsonObject().put("kind", "training-batch").put("class", "BULK").put("deadlineInMs", 60_000)
      .put("cost", 2.5).put("payload", new JsonObject().put("batch", 7))
      .put("constraints", new JsonObject().put("role", "cloud").put("model", "ranker/v2"));
    assertThat(WorkRequests.SCHEMA.check(ok)).isSameAs(ok);
  }

  @Test
  void namesTheWrongFieldOfAWorkRequest() {
    assertMalformed(WorkRequests.SCHEMA, new JsonObject().put("class", "BULK"), "kind");
    assertMalformed(WorkRequests.SCHEMA, new JsonObject().put("kind", "x").put("class", "URGENT"), "/class");
    assertMalformed(WorkRequests.SCHEMA, new JsonObject().put("kind", "x").put("cost", -1), "/cost");
    assertMalformed(WorkRequests.SCHEMA, new JsonObject().put("kind", "x").put("deadlineInMs", "soon"), "/deadlineInMs");
    assertMalformed(WorkRequests.SCHEMA, new JsonObject().put("kind", "x").put("extra", 1), "extra");
    assertMalformed(WorkRequests.SCHEMA, new JsonObject().put("kind", "x")
      .put("constraints", new JsonObject().put("role", "moon")), "/constraints/role");
    assertThatThrownBy(() -> WorkRequests.SCHEMA.check(new JsonArray()))
      .isInstanceOfSatisfying(MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
  }

  @Test
  void aContributionCarriesExactlyOneOfPayloadOrRef() {
    JsonObject base = new JsonObject().put("id", "c1").put("type", "gameplay-trace").put("size", 10).put("sha256", HASH);
    Contribution.SCHEMA.check(base.copy().put("payload", "0123456789"));
    Contribution.SCHEMA.check(base.copy().put("ref", "s3://bucket/c1"));
    assertMalformed(Contribution.SCHEMA, base.copy(), "");
    assertMalformed(Contribution.SCHEMA, base.copy().put("payload", "x").put("ref", "y"), "");
    assertMalformed(Contribution.SCHEMA, base.copy().put("sha256", "XYZ").put("ref", "y"), "/sha256");
    assertMalformed(Contribution.SCHEMA, base.copy().put("size", 0).put("ref", "y"), "/size");
  }

  private static void assertMalformed(RequestSchema schema, JsonObject value, String mentions) {
    assertThatThrownBy(() -> schema.check(value)).isInstanceOfSatisfying(MeshException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED);
      assertThat(e.getMessage()).contains(mentions);
    });
  }
}
