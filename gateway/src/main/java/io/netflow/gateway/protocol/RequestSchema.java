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
 * A JSON shape clients submit, checked against its JSON Schema (draft 2020-12). Each capability
 * keeps its schemas beside its classes (a resource in its own package) and contributes them to
 * the OpenAPI document ({@link #openApiSchema()}); this class is only the mechanism. Validators
 * are immutable and may be shared by every thread.
 */
public final class RequestSchema {

  private final String name;
  private final JsonObject schema;
  private final Validator validator;

  /** The schema in resource {@code name} beside {@code anchor} (in the same package). */
  public RequestSchema(Class<?> anchor, String name) {
    this.name = name;
    this.schema = load(anchor, name);
    this.validator = Validator.create(JsonSchema.of(schema),
      new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setOutputFormat(OutputFormat.Basic).setBaseUri("https://netflow.io/schemas/"));
  }

  /** The schema as the OpenAPI document's {@code components.schemas} carry it (no {@code $schema}, {@code $id}). */
  public JsonObject openApiSchema() {
    JsonObject copy = schema.copy();
    copy.remove("$schema");
    copy.remove("$id");
    return copy;
  }

  /** Adds this schema to an OpenAPI fragment as {@code components.schemas.<name>}; returns the fragment. */
  public JsonObject describeIn(JsonObject openApiFragment, String name) {
    JsonObject components = openApiFragment.getJsonObject("components");
    if (components == null) {
      components = new JsonObject();
      openApiFragment.put("components", components);
    }
    JsonObject schemas = components.getJsonObject("schemas");
    if (schemas == null) {
      schemas = new JsonObject();
      components.put("schemas", schemas);
    }
    schemas.put(name, openApiSchema());
    return openApiFragment;
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

  /**
   * The JSON object in resource {@code name} beside {@code anchor} (or at an absolute path).
   *
   * @throws IllegalStateException when it is missing: a broken build, found at start-up
   */
  public static JsonObject load(Class<?> anchor, String name) {
    try (InputStream in = anchor.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing beside " + anchor.getName());
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
