package io.netflow.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class SchemasTest {

  private static final String HASH = "a".repeat(64);

  @Test
  void acceptsAWellFormedWorkRequest() {
    JsonObject ok = new JsonObject().put("kind", "training-batch").put("class", "BULK").put("deadlineInMs", 60_000)
      .put("cost", 2.5).put("payload", new JsonObject().put("batch", 7))
      .put("constraints", new JsonObject().put("role", "cloud").put("model", "ranker/v2"));
    assertThat(Schemas.WORK_REQUEST.check(ok)).isSameAs(ok);
  }

  @Test
  void namesTheWrongFieldOfAWorkRequest() {
    assertMalformed(Schemas.WORK_REQUEST, new JsonObject().put("class", "BULK"), "kind");
    assertMalformed(Schemas.WORK_REQUEST, new JsonObject().put("kind", "x").put("class", "URGENT"), "/class");
    assertMalformed(Schemas.WORK_REQUEST, new JsonObject().put("kind", "x").put("cost", -1), "/cost");
    assertMalformed(Schemas.WORK_REQUEST, new JsonObject().put("kind", "x").put("deadlineInMs", "soon"), "/deadlineInMs");
    assertMalformed(Schemas.WORK_REQUEST, new JsonObject().put("kind", "x").put("extra", 1), "extra");
    assertMalformed(Schemas.WORK_REQUEST, new JsonObject().put("kind", "x")
      .put("constraints", new JsonObject().put("role", "moon")), "/constraints/role");
    assertThatThrownBy(() -> Schemas.WORK_REQUEST.check(new JsonArray()))
      .isInstanceOfSatisfying(MeshException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED));
  }

  @Test
  void aContributionCarriesExactlyOneOfPayloadOrRef() {
    JsonObject base = new JsonObject().put("id", "c1").put("type", "gameplay-trace").put("size", 10).put("sha256", HASH);
    Schemas.CONTRIBUTION.check(base.copy().put("payload", "0123456789"));
    Schemas.CONTRIBUTION.check(base.copy().put("ref", "s3://bucket/c1"));
    assertMalformed(Schemas.CONTRIBUTION, base.copy(), "");
    assertMalformed(Schemas.CONTRIBUTION, base.copy().put("payload", "x").put("ref", "y"), "");
    assertMalformed(Schemas.CONTRIBUTION, base.copy().put("sha256", "XYZ").put("ref", "y"), "/sha256");
    assertMalformed(Schemas.CONTRIBUTION, base.copy().put("size", 0).put("ref", "y"), "/size");
  }

  private static void assertMalformed(Schemas schema, JsonObject value, String mentions) {
    assertThatThrownBy(() -> schema.check(value)).isInstanceOfSatisfying(MeshException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED);
      assertThat(e.getMessage()).contains(mentions);
    });
  }
}
