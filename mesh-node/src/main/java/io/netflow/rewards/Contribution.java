package io.netflow.rewards;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.RequestSchema;
import io.netflow.gateway.protocol.Sha256;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * A Micro Node's data contribution, checked: its shape (the schema), its type (one of
 * {@code rewards.types}), its size (at most {@code rewards.max-bytes}) and, when the data comes
 * inline, that it is as long as declared and hashes to the declared SHA-256.
 *
 * @param payload the data, or null when only a {@code ref} was given
 */
public record Contribution(String id, String contributor, String type, long size, String sha256, byte[] payload,
                           String ref) {

  /** A Micro Node's contribution, as submitted to {@code POST /v1/rewards/contributions}. */
  public static final RequestSchema SCHEMA = new RequestSchema(Contribution.class, "contribution.json");

  /**
   * @throws MeshException MALFORMED (shape, unknown type), TOO_LARGE or INTEGRITY (size or hash differ)
   */
  public static Contribution parse(Object body, String contributor, RewardOptions options) {
    JsonObject json = SCHEMA.check(body);
    String type = json.getString("type");
    if (!options.getTypes().containsKey(type)) {
      throw new MeshException(ErrorCode.MALFORMED, "unknown contribution type '" + type + "'; accepted: "
        + String.join(", ", options.getTypes().keySet()));
    }
    long size = json.getLong("size");
    if (size > options.getMaxBytes()) {
      throw new MeshException(ErrorCode.TOO_LARGE, "contribution of " + size + " bytes is over rewards.max-bytes ("
        + options.getMaxBytes() + ")");
    }
    String sha = json.getString("sha256");
    byte[] payload = null;
    if (json.getString("payload") != null) {
      payload = json.getString("payload").getBytes(StandardCharsets.UTF_8);
      if (payload.length != size) {
        throw new MeshException(ErrorCode.INTEGRITY, "payload is " + payload.length + " bytes, declared " + size);
      }
      if (!Sha256.hex(payload).equals(sha)) {
        throw new MeshException(ErrorCode.INTEGRITY, "payload does not hash to the declared sha256");
      }
    }
    return new Contribution(json.getString("id"), contributor, type, size, sha, payload, json.getString("ref"));
  }

  /** The ledger key: ids are the contributor's own, so two contributors may use the same one. */
  public String key() {
    return contributor + "/" + id;
  }

}
