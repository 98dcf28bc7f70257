package io.netflow.client.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A data request a device schedules: a contribution, an upload or a download, done by the
 * {@link Carrier} of its {@code kind}. The scheduler decides when, from its class, deadline, size
 * and value; the body is what the carrier needs (for {@code contribution}, the contribution as
 * {@code POST /v1/rewards/contributions} takes it).
 *
 * @param id       the app's id for it: submitting it again is a no-op, and the mesh credits it once
 * @param value    what it is worth to the app, in base points (the reward multiplier scales it)
 * @param created  when the app submitted it
 */
public record DataRequest(String id, String kind, RequestClass requestClass, Instant deadline, long size, double value,
                          Instant created, JsonNode body) {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Ids are file names on the device and ids in the mesh's ledger: a safe subset of both. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  public DataRequest {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(requestClass, "requestClass");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(created, "created");
    if (id == null || !ID.matcher(id).matches() || id.startsWith(".")) {
      throw new IllegalArgumentException("a request id is 1 to 128 of A-Z a-z 0-9 . _ - (not starting with '.'): " + id);
    }
    if (size < 0 || value < 0 || !Double.isFinite(value)) {
      throw new IllegalArgumentException("size and value must be finite and not negative");
    }
    body = body == null ? JSON.nullNode() : body.deepCopy();
  }

  /** A contribution to the mesh's rewards: {@code body} is {@code {id, type, size, sha256, payload | ref}}. */
  public static DataRequest contribution(ObjectNode contribution, RequestClass requestClass, Instant deadline, double value,
                                         Instant now) {
    return new DataRequest(contribution.path("id").asText(), Contributions.KIND, requestClass, deadline,
      contribution.path("size").asLong(), value, now, contribution);
  }

  public ObjectNode toJson() {
    ObjectNode json = JSON.createObjectNode().put("id", id).put("kind", kind).put("class", requestClass.name())
      .put("deadline", deadline.toEpochMilli()).put("size", size).put("value", value).put("created", created.toEpochMilli());
    json.set("body", body);
    return json;
  }

  public static DataRequest fromJson(JsonNode json) {
    return new DataRequest(json.path("id").asText(), json.path("kind").asText(), RequestClass.valueOf(json.path("class").asText()),
      Instant.ofEpochMilli(json.path("deadline").asLong()), json.path("size").asLong(), json.path("value").asDouble(),
      Instant.ofEpochMilli(json.path("created").asLong()), json.path("body"));
  }
}
