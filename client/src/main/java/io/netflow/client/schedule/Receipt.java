package io.netflow.client.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * How a data request ended, kept on the device.
 *
 * @param done   true when carried (the body is the mesh's receipt), false when refused (the body is the error)
 * @param at     when it ended
 * @param onTime whether it ended by its deadline
 */
public record Receipt(String id, String kind, boolean done, Instant at, boolean onTime, JsonNode body) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ObjectNode toJson() {
    ObjectNode json = JSON.createObjectNode().put("id", id).put("kind", kind).put("done", done).put("at", at.toEpochMilli())
      .put("onTime", onTime);
    json.set("body", body);
    return json;
  }

  public static Receipt fromJson(JsonNode json) {
    return new Receipt(json.path("id").asText(), json.path("kind").asText(), json.path("done").asBoolean(),
      Instant.ofEpochMilli(json.path("at").asLong()), json.path("onTime").asBoolean(), json.path("body"));
  }
}
