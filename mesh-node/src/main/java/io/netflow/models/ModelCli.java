package io.netflow.models;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar netflow-node.jar model ...}: the publisher's tools.
 *
 * <pre>
 * model keygen  --key-id ID --out FILE
 * model publish --url http://node:8080 --admin-key KEY --name NAME --version V --file MODEL
 *               --private-key FILE --key-id ID [--chunk-bytes N]
 * </pre>
 *
 * The private key never leaves the publisher's machine: {@code publish} hashes and signs the
 * manifest locally and uploads the file with the signature; the node recomputes the manifest from
 * what it received and checks the signature against its trusted keys.
 */
public final class ModelCli {

  private ModelCli() {
  }

  /** Runs a command; returns the process exit code (0 ok, 1 failed, 2 usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty()) {
      return usage(err);
    }
    Map<String, String> flags = new HashMap<>();
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--") || i + 1 >= args.size()) {
        return usage(err);
      }
      flags.put(a.substring(2), args.get(++i));
    }
    try {
      return switch (args.get(0)) {
        case "keygen" -> keygen(flags, out);
        case "publish" -> publish(flags, out, err);
        case "sign" -> sign(flags, out);
        default -> usage(err);
      };
    } catch (IllegalArgumentException | IOException e) {
      err.println("netflow model: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static int keygen(Map<String, String> f, PrintStream out) throws IOException {
    String keyId = need(f, "key-id");
    Path file = Path.of(need(f, "out"));
    KeyPair pair = ModelKeys.generate();
    Files.writeString(file, ModelKeys.encode(pair.getPrivate()) + "\n");
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system: the operator protects the file
    }
    String entry = keyId + "=" + ModelKeys.encode(pair.getPublic());
    out.println("Private key written to " + file + " (keep it off the nodes).");
    out.println("Trust it on every node, in node.yaml:");
    out.println("  models:\n    trusted-keys:\n      - \"" + entry + "\"");
    out.println("or NETFLOW_MODELS_TRUSTED_KEYS=" + entry);
    return 0;
  }

  /** Signs a version without uploading it: for uploads through the web console (or any HTTP client). */
  private static int sign(Map<String, String> f, PrintStream out) throws IOException {
    ModelManifest signed = signed(f);
    out.println("key id:     " + signed.keyId());
    out.println("signature:  " + signed.signature());
    out.println("chunk size: " + signed.chunkSize());
    out.println("Upload the same file as " + signed.name() + " " + signed.version() + " with these, in the console or with");
    out.println("  curl -T FILE -H \"" + ModelRoutes.KEY_ID + ": " + signed.keyId() + "\" -H \"" + ModelRoutes.SIGNATURE
      + ": " + signed.signature() + "\" -H \"" + ModelRoutes.SIZE + ": " + signed.size() + "\" -H \"" + ModelRoutes.CHUNK_SIZE
      + ": " + signed.chunkSize() + "\" -H \"Authorization: Bearer $ADMIN_KEY\" URL/v1/models/" + signed.name() + "/"
      + signed.version());
    return 0;
  }

  private static ModelManifest signed(Map<String, String> f) throws IOException {
    Path file = Path.of(need(f, "file"));
    int chunk = Integer.parseInt(f.getOrDefault("chunk-bytes", "65536"));
    return ModelKeys.sign(ModelStore.describe(file, need(f, "name"), need(f, "version"), chunk), need(f, "key-id"),
      ModelKeys.privateKey(Files.readString(Path.of(need(f, "private-key")))));
  }

  private static int publish(Map<String, String> f, PrintStream out, PrintStream err)
    throws IOException, InterruptedException {
    Path file = Path.of(need(f, "file"));
    String name = need(f, "name");
    String version = need(f, "version");
    int chunk = Integer.parseInt(f.getOrDefault("chunk-bytes", "65536"));
    ModelManifest signed = signed(f);
    HttpRequest request = HttpRequest.newBuilder(URI.create(need(f, "url") + "/v1/models/" + name + "/" + version))
      .timeout(Duration.ofMinutes(30))
      .header("Authorization", "Bearer " + need(f, "admin-key"))
      .header(ModelRoutes.SIZE, String.valueOf(signed.size()))
      .header(ModelRoutes.CHUNK_SIZE, String.valueOf(chunk))
      .header(ModelRoutes.KEY_ID, signed.keyId())
      .header(ModelRoutes.SIGNATURE, signed.signature())
      .PUT(HttpRequest.BodyPublishers.ofFile(file))
      .build();
    HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
      .send(request, HttpResponse.BodyHandlers.ofString());
    (response.statusCode() == 201 ? out : err).println(response.statusCode() + " " + response.body());
    return response.statusCode() == 201 ? 0 : 1;
  }

  private static String need(Map<String, String> f, String key) {
    String v = f.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }

  private static int usage(PrintStream err) {
    err.println("""
      Usage:
        java -jar netflow-node.jar model keygen --key-id ID --out FILE
        java -jar netflow-node.jar model publish --url http://HOST:PORT --admin-key KEY --name NAME --version V \\
             --file MODEL --private-key FILE --key-id ID [--chunk-bytes 65536]
        java -jar netflow-node.jar model sign --name NAME --version V --file MODEL --private-key FILE --key-id ID
             [--chunk-bytes 65536]   (prints the signature, for an upload through the web console)""");
    return 2;
  }
}
