package io.netflow.gateway.protocol;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON shapes clients submit, checked against the JSON Schemas (draft 2020-12) under
 * {@code schemas/} in this jar, which the OpenAPI document and the README describe too.
 * Validators are immutable and may be shared by every thread.
 */
public final class Schemas {

  /** Deferred work, as submitted to {@code POST /v1/work} and {@link Addresses#WORK_SUBMIT}. */
  public static final Schemas WORK_REQUEST = new Schemas("work-request.json");

  /** A Micro Node's contribution, as submitted to {@code POST /v1/rewards/contributions}. */
  public static final Schemas CONTRIBUTION = new Schemas("contribution.json");

  private final String name;
  private final Validator validator;

  private Schemas(String name) {
    this.name = name;
    this.validator = Validator.create(JsonSchema.of(load(name)),
      new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setOutputFormat(OutputFormat.Basic).setBaseUri("https://netflow.io/schemas/"));
  }

  /**
   * Checks {@code value} against the schema.
   *
   * @return {@code value} as a JSON object, when it is valid
   * @throws MeshException MALFORMED naming the first field that is wrong and why
   */
  public JsonObject check(Object value) {
    if (!(value instanceof JsonObject json)) {
      throw new MeshException(ErrorCode.MALFORMED, "the body must be a JSON object (" + name + ")");
    }
    OutputUnit result = validator.validate(json);
    if (!result.getValid()) {
      throw new MeshException(ErrorCode.MALFORMED, describe(result));
    }
    return json;
  }

  private static String describe(OutputUnit result) {
    if (result.getErrors() == null || result.getErrors().isEmpty()) {
      return result.getError() == null ? "does not match its schema" : result.getError();
    }
    // The deepest error says the most: "at /cost: Number is not positive" over "oneOf failed".
    OutputUnit best = result.getErrors().get(result.getErrors().size() - 1);
    for (OutputUnit e : result.getErrors()) {
      String at = e.getInstanceLocation();
      if (at != null && at.length() > (best.getInstanceLocation() == null ? 0 : best.getInstanceLocation().length())) {
        best = e;
      }
    }
    String at = best.getInstanceLocation() == null || best.getInstanceLocation().isEmpty() ? "the body"
      : best.getInstanceLocation().replaceFirst("^#", "");
    return (at.isEmpty() ? "the body" : at) + ": " + best.getError();
  }

  private static JsonObject load(String name) {
    try (InputStream in = Schemas.class.getResourceAsStream("/schemas/" + name)) {
      if (in == null) {
        throw new IllegalStateException("schemas/" + name + " is missing from the gateway jar");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
