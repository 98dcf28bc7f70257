package io.netflow.client.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netflow.client.MeshHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A device's copy of a model, kept in step with the version the mesh says it should run: asks a
 * node which version that is ({@code /active}), downloads it from the advised sources (resuming
 * from the chunks it already holds, the next source on any failure), checks the publisher's
 * Ed25519 signature against the app's own trusted keys and every chunk's SHA-256, then switches to
 * it atomically. The version it ran before stays on disk, so a rollback is a switch, not a download.
 *
 * <p>On disk, under {@code dir/<model>/}: {@code <version>/model.bin} (whole, verified),
 * {@code <version>/model.bin.part} (being downloaded) and {@code ACTIVE} (the version in use).
 * Blocking: call it from the app's own worker thread. Not for concurrent use on one model.
 */
public final class ModelSync {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param nodes      nodes to ask, in order (any node answers for the mesh)
   * @param apiKey     a key with {@code models:<glob>} for the models it follows
   * @param deviceId   this device's id (its wave is a hash of it and the version)
   * @param dir        where the models live on this device
   * @param trusted    publisher key id to Ed25519 public key: only versions they signed are taken
   * @param rangeBytes the most asked for in one request (the nodes send ranges up to their
   *                   {@code models.device-range-bytes} at once)
   */
  public record Options(List<URI> nodes, String apiKey, String deviceId, Path dir, Map<String, PublicKey> trusted,
                        int rangeBytes, Duration timeout) {
    public Options {
      nodes = List.copyOf(nodes);
      trusted = Map.copyOf(trusted);
    }
  }

  /**
   * What a sync did.
   *
   * @param version    the version in use now (null: none yet)
   * @param file       its file (null: none)
   * @param switched   whether this sync switched versions
   * @param retryAfter when to ask again (the device's wave is not open, or no source had room)
   */
  public record Outcome(String model, String version, Path file, boolean switched, Duration retryAfter) {
  }

  private final HttpClient http;
  private final Options options;

  public ModelSync(HttpClient http, Options options) {
    this.http = http;
    this.options = options;
  }

  /** Trusted keys from {@code keyId=base64} entries, as the mesh's {@code models.trusted-keys} writes them. */
  public static Map<String, PublicKey> trust(String... entries) {
    Map<String, PublicKey> keys = new HashMap<>();
    for (String e : entries) {
      int eq = e.indexOf('=');
      try {
        keys.put(e.substring(0, eq), KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(e.substring(eq + 1)))));
      } catch (Exception bad) {
        throw new IllegalArgumentException("trusted key entry must be keyId=base64 of an Ed25519 public key: " + e);
      }
    }
    return keys;
  }

  /** The version of {@code model} in use on this device, if any. */
  public Optional<String> active(String model) {
    Path marker = options.dir().resolve(model).resolve("ACTIVE");
    try {
      return Files.exists(marker) ? Optional.of(Files.readString(marker).trim()) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Asks which version to run, takes it if it is new (downloaded, verified) and switches to it. */
  public Outcome sync(String model) {
    Optional<String> running = active(model);
    JsonNode advice = ask(model, running.orElse(null));
    Duration retry = Duration.ofSeconds(advice.path("retryAfter").asLong(0));
    String version = advice.path("version").isTextual() ? advice.path("version").asText() : null;
    if (version == null || running.isPresent() && running.get().equals(version)) {
      return new Outcome(model, running.orElse(null), running.map(v -> file(model, v)).orElse(null), false, retry);
    }
    SignedManifest m = SignedManifest.fromJson(advice.path("manifest"));
    if (!m.name().equals(model) || !m.version().equals(version)) {
      throw new ModelSyncException("the node advised " + version + " with the manifest of " + m.name() + "/" + m.version());
    }
    m.verify(options.trusted());
    if (!Files.exists(file(model, version))) {
      List<URI> sources = new ArrayList<>();
      advice.path("sources").forEach(s -> sources.add(URI.create(s.asText())));
      if (sources.isEmpty()) {
        return new Outcome(model, running.orElse(null), running.map(v -> file(model, v)).orElse(null), false,
          retry.isZero() ? Duration.ofSeconds(1) : retry);
      }
      new Download(http, m, options, dir(model, version)).run(sources);
    }
    switchTo(model, version, running.orElse(null));
    return new Outcome(model, version, file(model, version), true, retry);
  }

  private JsonNode ask(String model, String running) {
    ModelSyncException last = null;
    for (URI node : options.nodes()) {
      String q = "device=" + URLEncoder.encode(options.deviceId(), StandardCharsets.UTF_8)
        + (running == null ? "" : "&running=" + URLEncoder.encode(running, StandardCharsets.UTF_8));
      HttpRequest req = MeshHttp.request(node.resolve("/v1/models/" + model + "/active?" + q))
        .header("Authorization", "Bearer " + options.apiKey()).timeout(options.timeout()).GET().build();
      try {
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
          JsonNode json = JSON.readTree(body);
          if (r.statusCode() == 200) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("retryAfter",
              r.headers().firstValueAsLong("Retry-After").orElse(0));
            return json;
          }
          if (r.statusCode() / 100 == 4 && r.statusCode() != 429) {
            // The request itself is wrong (no such model, a key without the scope): no other node says otherwise.
            throw new ModelSyncException(node + " refused: " + r.statusCode() + " " + json.path("message").asText());
          }
          last = new ModelSyncException(node + " answered " + r.statusCode());
        }
      } catch (IOException e) {
        last = new ModelSyncException(node + " could not be reached", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelSyncException("interrupted", e);
      }
    }
    throw last != null ? last : new ModelSyncException("no node to ask");
  }

  /** Points {@code ACTIVE} at {@code version} in one atomic rename, and keeps only it and the one before. */
  private void switchTo(String model, String version, String before) {
    Path dir = options.dir().resolve(model);
    try {
      Path temp = Files.writeString(dir.resolve("ACTIVE.next"), version);
      Files.move(temp, dir.resolve("ACTIVE"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (var versions = Files.list(dir)) {
        for (Path v : versions.filter(Files::isDirectory).toList()) {
          String name = v.getFileName().toString();
          if (!name.equals(version) && !name.equals(before)) {
            Download.deleteTree(v);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot switch " + model + " to " + version, e);
    }
  }

  /** The file of a version, whole and verified once it exists. */
  public Path file(String model, String version) {
    return dir(model, version).resolve("model.bin");
  }

  private Path dir(String model, String version) {
    return options.dir().resolve(model).resolve(version);
  }
}
