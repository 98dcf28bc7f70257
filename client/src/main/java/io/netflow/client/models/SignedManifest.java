package io.netflow.client.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A model version's manifest as its publisher signed it: size, chunk size, the SHA-256 of every
 * chunk and of the whole, and the publisher's Ed25519 signature over all of it. A device trusts a
 * version only when this signature verifies against one of the app's own trusted keys: no node of
 * the mesh, however compromised, can make a device run a model its publisher did not sign.
 */
public record SignedManifest(String name, String version, long size, int chunkSize, List<String> chunkSha256,
                             String sha256, String keyId, String signature) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public SignedManifest {
    chunkSha256 = List.copyOf(chunkSha256);
  }

  /** Reads a manifest as the mesh serves it, checking its shape (not yet its signature). */
  public static SignedManifest fromJson(JsonNode j) {
    if (j == null || !j.isObject()) {
      throw new ModelSyncException("the manifest is missing");
    }
    List<String> chunks = new ArrayList<>();
    j.path("chunkSha256").forEach(h -> chunks.add(h.asText()));
    SignedManifest m = new SignedManifest(j.path("name").asText(), j.path("version").asText(), j.path("size").asLong(),
      j.path("chunkSize").asInt(), chunks, j.path("sha256").asText(), j.path("keyId").asText(), j.path("signature").asText());
    boolean ok = NAME.matcher(m.name).matches() && NAME.matcher(m.version).matches() && m.size > 0 && m.chunkSize >= 1024
      && (m.size + m.chunkSize - 1) / m.chunkSize == chunks.size() && HEX.matcher(m.sha256).matches()
      && chunks.stream().allMatch(h -> HEX.matcher(h).matches());
    if (!ok) {
      throw new ModelSyncException("manifest of " + m.name + "/" + m.version + " is malformed");
    }
    return m;
  }

  /** The exact text the publisher signed (the mesh's own definition: every field but the signature, one per line). */
  public byte[] signedText() {
    StringBuilder sb = new StringBuilder("netflow-model-manifest-v1\n")
      .append(name).append('\n').append(version).append('\n').append(size).append('\n')
      .append(chunkSize).append('\n').append(sha256).append('\n').append(keyId).append('\n');
    chunkSha256.forEach(h -> sb.append(h).append('\n'));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Checks the signature against the app's trusted keys.
   *
   * @throws ModelSyncException when unsigned, signed by a key the app does not trust, or forged
   */
  public void verify(Map<String, PublicKey> trusted) {
    PublicKey key = trusted.get(keyId);
    if (key == null) {
      throw new ModelSyncException(name + "/" + version + " is signed by '" + keyId + "', a key this app does not trust");
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(signedText());
      if (!s.verify(Base64.getDecoder().decode(signature))) {
        throw new ModelSyncException(name + "/" + version + " has a wrong signature");
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ModelSyncException(name + "/" + version + " has an unreadable signature");
    }
  }

  public int chunkCount() {
    return chunkSha256.size();
  }

  /** Bytes in chunk {@code index} (the last one may be short). */
  public int chunkLength(int index) {
    return (int) Math.min(chunkSize, size - (long) index * chunkSize);
  }
}
