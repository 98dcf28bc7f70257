package io.netflow.models;

import io.netflow.gateway.protocol.MeshException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar netflow-node.jar model ...}: the publisher's tools.
 *
 * <pre>
 * model keygen  --key-id ID --out FILE
 * model publish --url http://node:8080 --admin-key KEY --name NAME --version V --file MODEL
 *               --private-key FILE --key-id ID [--chunk-bytes N]
 * model sign    --name NAME --version V --file MODEL --private-key FILE --key-id ID [--chunk-bytes N]
 * </pre>
 *
 * The private key never leaves the publisher's machine: {@code publish} hashes and signs the
 * manifest locally and uploads the file with the signature; the node recomputes the manifest from
 * what it received and checks the signature against its trusted keys.
 *
 * <p>A bad input is thrown as picocli's {@link ParameterException}, naming the option: the command
 * line prints it as one line and exits 2.
 */
@Command(name = "model", description = {"Publishes AI model versions: a publisher key, signed versions, uploads.", ""},
  subcommands = {ModelCli.Keygen.class, ModelCli.Publish.class, ModelCli.Sign.class})
public final class ModelCli implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  /** A bare {@code model}: says which commands there are. */
  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command: keygen, publish or sign; see '"
      + spec.qualifiedName() + " --help'");
  }

  @Command(name = "keygen", description = {"Makes a publisher key: writes the private key (owner-only) and prints "
    + "the public half for models.trusted-keys on every node.", ""})
  static final class Keygen implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--key-id", required = true, paramLabel = "ID", description = "Name of the key, as nodes trust it.")
    String keyId;

    @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Where to write the private key; keep it off the nodes.")
    Path out;

    @Override
    public Integer call() throws IOException {
      KeyPair pair = ModelKeys.generate();
      try {
        Files.writeString(out, ModelKeys.encode(pair.getPrivate()) + "\n");
      } catch (NoSuchFileException | AccessDeniedException e) {
        throw new ParameterException(spec.commandLine(), "cannot write --out '" + out + "': " + reason(e));
      }
      try {
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the operator protects the file
      }
      String entry = keyId + "=" + ModelKeys.encode(pair.getPublic());
      PrintWriter print = spec.commandLine().getOut();
      print.println("Private key written to " + out + " (keep it off the nodes).");
      print.println("Trust it on every node, in node.yaml:");
      print.println("  models:\n    trusted-keys:\n      - \"" + entry + "\"");
      print.println("or NETFLOW_MODELS_TRUSTED_KEYS=" + entry);
      return 0;
    }
  }

  /** Signs a version without uploading it: for uploads through the web console (or any HTTP client). */
  @Command(name = "sign", description = {"Signs a version without uploading it, for an upload through the web "
    + "console or curl: prints the signature and the headers to send.", ""})
  static final class Sign implements Callable<Integer> {

    @Mixin
    Signing signing;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      ModelManifest signed = signing.manifest();
      PrintWriter out = spec.commandLine().getOut();
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
  }

  @Command(name = "publish", description = {"Hashes and signs a version here, then uploads it to a node, which "
    + "spreads it over the mesh. Exit 1 when the node refuses it (its answer on stderr).", ""})
  static final class Publish implements Callable<Integer> {

    @Mixin
    Signing signing;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", required = true, paramLabel = "URL", description = "Any node's HTTP API, e.g. http://127.0.0.1:8080.")
    String url;

    @Option(names = "--admin-key", required = true, paramLabel = "KEY",
      description = "An admin key of the node (its SHA-256 in http.admin-key-sha256).")
    String adminKey;

    @Override
    public Integer call() throws IOException, InterruptedException {
      URI base = base();
      ModelManifest signed = signing.manifest();
      URI target = URI.create(base + "/v1/models/" + signed.name() + "/" + signed.version());
      HttpRequest request = HttpRequest.newBuilder(target)
        .timeout(Duration.ofMinutes(30))
        .header("Authorization", "Bearer " + adminKey)
        .header(ModelRoutes.SIZE, String.valueOf(signed.size()))
        .header(ModelRoutes.CHUNK_SIZE, String.valueOf(signed.chunkSize()))
        .header(ModelRoutes.KEY_ID, signed.keyId())
        .header(ModelRoutes.SIGNATURE, signed.signature())
        .PUT(HttpRequest.BodyPublishers.ofFile(signing.file))
        .build();
      HttpResponse<String> response;
      try {
        response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .send(request, HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        throw new IOException("cannot connect to " + base, e);
      } catch (IOException e) {
        throw new IOException("upload to " + base + " failed: " + reason(e), e);
      }
      boolean created = response.statusCode() == 201;
      (created ? spec.commandLine().getOut() : spec.commandLine().getErr()).println(response.statusCode() + " " + response.body());
      return created ? 0 : 1;
    }

    /** Checked before the file is hashed, which may take minutes. */
    private URI base() {
      String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      try {
        URI uri = new URI(trimmed);
        if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
          return uri;
        }
      } catch (URISyntaxException e) {
        // refused below, with the rest
      }
      throw new ParameterException(spec.commandLine(), "invalid value '" + url + "' for --url: must be http://HOST:PORT or https://HOST:PORT");
    }
  }

  /** What sign and publish share: the version, its file and the key that signs it. */
  static final class Signing {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--name", required = true, paramLabel = "NAME",
      description = "Model name: 1-64 lowercase letters, digits, '.', '_' or '-'.")
    String name;

    @Option(names = "--version", required = true, paramLabel = "V", description = "Version, named like the model.")
    String version;

    @Option(names = "--file", required = true, paramLabel = "MODEL", description = "The model file.")
    Path file;

    @Option(names = "--private-key", required = true, paramLabel = "FILE", description = "The private key from 'model keygen'.")
    Path privateKey;

    @Option(names = "--key-id", required = true, paramLabel = "ID", description = "The key's id, as nodes trust it.")
    String keyId;

    @Option(names = "--chunk-bytes", paramLabel = "N", defaultValue = "65536",
      description = "Chunk size peers fetch and verify, in [1024, 16777216] (default ${DEFAULT-VALUE}).")
    int chunkBytes;

    /** The signed manifest of the file; every option is checked before the file is hashed. */
    ModelManifest manifest() {
      checkName("--name", name);
      checkName("--version", version);
      if (chunkBytes < ModelManifest.MIN_CHUNK_BYTES || chunkBytes > ModelManifest.MAX_CHUNK_BYTES) {
        throw bad("invalid value '" + chunkBytes + "' for --chunk-bytes: must be an integer in ["
          + ModelManifest.MIN_CHUNK_BYTES + ", " + ModelManifest.MAX_CHUNK_BYTES + "]");
      }
      PrivateKey key = readKey();
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw bad("cannot read --file '" + file + "': " + (Files.exists(file) ? "not a readable file" : "no such file"));
      }
      try {
        return ModelKeys.sign(ModelStore.describe(file, name, version, chunkBytes), keyId, key);
      } catch (MeshException e) {
        throw bad("--file '" + file + "': " + e.getMessage()); // an empty file
      }
    }

    private void checkName(String option, String value) {
      if (!ModelManifest.NAME.matcher(value).matches()) {
        throw bad("invalid value '" + value + "' for " + option + ": must be 1-64 lowercase letters, digits, '.', '_' or '-'");
      }
    }

    private PrivateKey readKey() {
      String text;
      try {
        // Latin-1 decodes any bytes: a file that is not a key is refused as such below.
        text = Files.readString(privateKey, StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        throw bad("cannot read --private-key '" + privateKey + "': " + reason(e));
      }
      try {
        return ModelKeys.privateKey(text);
      } catch (IllegalArgumentException e) {
        throw bad("--private-key '" + privateKey + "' is " + e.getMessage());
      }
    }

    private ParameterException bad(String message) {
      return new ParameterException(spec.commandLine(), message);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
