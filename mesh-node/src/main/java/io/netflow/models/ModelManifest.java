package io.netflow.models;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a model version is: its size, how it is cut into chunks, the SHA-256 of every chunk and of
 * the whole, and the publisher's Ed25519 signature over all of that ({@link #signedText()}).
 * A node trusts a manifest only when the signature verifies against a key in its config.
 */
public record ModelManifest(String name, String version, long size, int chunkSize, List<String> chunkSha256,
                            String sha256, String keyId, String signature) {

  /** Model names and versions: lowercase letters, digits, '.', '_', '-', up to 64 characters. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  /** The smallest chunk a version may be cut in. */
  public static final int MIN_CHUNK_BYTES = 1024;
  /** The largest chunk a version may be cut in. */
  public static final int MAX_CHUNK_BYTES = 16 << 20;
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public ModelManifest {
    chunkSha256 = List.copyOf(chunkSha256);
  }

  /** {@code name/version}: the key of the version everywhere (maps, events, logs). */
  public String id() {
    return name + "/" + version;
  }

  public int chunkCount() {
    return chunkSha256.size();
  }

  /** Bytes in chunk {@code index} (the last one may be short). */
  public int chunkLength(int index) {
    long start = (long) index * chunkSize;
    return (int) Math.min(chunkSize, size - start);
  }

  /** The exact text the publisher signs: every field but the signature, one per line. */
  public byte[] signedText() {
    StringBuilder sb = new StringBuilder("netflow-model-manifest-v1\n")
      .append(name).append('\n').append(version).append('\n').append(size).append('\n')
      .append(chunkSize).append('\n').append(sha256).append('\n').append(keyId).append('\n');
    chunkSha256.forEach(h -> sb.append(h).append('\n'));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  public ModelManifest withSignature(String keyId, String signature) {
    return new ModelManifest(name, version, size, chunkSize, chunkSha256, sha256, keyId, signature);
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("version", version).put("size", size).put("chunkSize", chunkSize)
      .put("chunkSha256", new JsonArray(new ArrayList<>(chunkSha256))).put("sha256", sha256).put("keyId", keyId)
      .put("signature", signature);
  }

  /**
   * Reads a manifest and checks its shape (not its signature).
   *
   * @throws MeshException MALFORMED when a field is missing, out of range or inconsistent
   */
  public static ModelManifest fromJson(JsonObject json) {
    try {
      ModelManifest m = new ModelManifest(json.getString("name"), json.getString("version"), json.getLong("size"),
        json.getInteger("chunkSize"), json.getJsonArray("chunkSha256").getList(), json.getString("sha256"),
        json.getString("keyId", ""), json.getString("signature", ""));
      return m.checkShape();
    } catch (ClassCastException | NullPointerException e) {
      throw new MeshException(ErrorCode.MALFORMED, "manifest has a missing or mistyped field");
    }
  }

  /** Checks names, sizes and hashes are well formed and agree with each other. */
  public ModelManifest checkShape() {
    if (!NAME.matcher(name).matches() || !NAME.matcher(version).matches()) {
      throw new MeshException(ErrorCode.MALFORMED, "model name and version must match " + NAME.pattern());
    }
    if (size < 1 || chunkSize < MIN_CHUNK_BYTES || chunkSize > MAX_CHUNK_BYTES) {
      throw new MeshException(ErrorCode.MALFORMED, "size must be positive and chunk size in [" + MIN_CHUNK_BYTES + ", "
        + MAX_CHUNK_BYTES + "]");
    }
    if ((size + chunkSize - 1) / chunkSize != chunkSha256.size()) {
      throw new MeshException(ErrorCode.MALFORMED, "manifest lists " + chunkSha256.size() + " chunks for "
        + size + " bytes in chunks of " + chunkSize);
    }
    if (!HEX.matcher(sha256).matches() || !chunkSha256.stream().allMatch(h -> HEX.matcher(h).matches())) {
      throw new MeshException(ErrorCode.MALFORMED, "hashes must be lowercase hex SHA-256");
    }
    return this;
  }
}
