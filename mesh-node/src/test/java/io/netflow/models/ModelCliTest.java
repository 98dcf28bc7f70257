package io.netflow.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.node.cli.CliRun;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCliTest {

  private static final String TRUST = "or NETFLOW_MODELS_TRUSTED_KEYS=";

  @TempDir
  Path dir;

  @Test
  void signPrintsASignatureTheNodeAccepts() throws Exception {
    Path key = dir.resolve("ops.key");
    CliRun keygen = CliRun.of("model", "keygen", "--key-id", "ops", "--out", key.toString());
    assertThat(keygen.code()).isZero();
    String trusted = keygen.outLines().stream().filter(l -> l.startsWith(TRUST)).findFirst().orElseThrow()
      .substring(TRUST.length());
    Path model = Files.write(dir.resolve("m.bin"), new byte[200_000]);
    CliRun sign = CliRun.of("model", "sign", "--name", "policy", "--version", "v3", "--file", model.toString(),
      "--private-key", key.toString(), "--key-id", "ops");
    assertThat(sign.code()).isZero();
    String signature = sign.outLines().stream().filter(l -> l.startsWith("signature:"))
      .findFirst().orElseThrow().substring("signature:".length()).trim();
    // What a node does with an upload: describe what arrived, attach the given signature, verify it.
    ModelManifest received = ModelStore.describe(model, "policy", "v3", 65_536).withSignature("ops", signature);
    ModelKeys.trusting(List.of(trusted)).verify(received);
  }

  @Test
  void publishWithoutItsOptionsIsOneLineNamingThemAndExits2() {
    CliRun run = CliRun.of("model", "publish", "--name", "x");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).startsWith("netflow: missing required options: ")
      .contains("'--version=V'", "'--file=MODEL'", "'--private-key=FILE'", "'--key-id=ID'", "'--url=URL'", "'--admin-key=KEY'")
      .doesNotContain("'--name", "Exception", "\tat ");
  }

  @Test
  void badValuesAreOneLineNamingTheOptionAndExit2() throws Exception {
    Path key = dir.resolve("ops.key");
    assertThat(CliRun.of("model", "keygen", "--key-id", "ops", "--out", key.toString()).code()).isZero();
    Path model = Files.write(dir.resolve("m.bin"), new byte[5_000]);
    Map<List<String>, String> cases = Map.of(
      List.of("--name", "Policy"), "netflow: invalid value 'Policy' for --name: must be 1-64 lowercase letters, digits, '.', '_' or '-'",
      List.of("--chunk-bytes", "100"), "netflow: invalid value '100' for --chunk-bytes: must be an integer in [1024, 16777216]",
      List.of("--chunk-bytes", "lots"), "netflow: invalid value for option '--chunk-bytes': 'lots' is not an int",
      List.of("--file", dir.resolve("absent.bin").toString()), "netflow: cannot read --file '" + dir.resolve("absent.bin") + "': no such file",
      List.of("--private-key", model.toString()), "netflow: --private-key '" + model + "' is not a base64 PKCS#8 Ed25519 private key",
      List.of("--bogus", "1"), "netflow: unknown option '--bogus'; see 'java -jar netflow-node.jar model sign --help'");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      CliRun run = CliRun.of(sign(model, key, c.getKey()));
      assertThat(run.code()).as(c.getKey().toString()).isEqualTo(2);
      assertThat(run.errLines()).as(c.getKey().toString()).containsExactly(c.getValue());
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void aNodeThatCannotBeReachedIsOneLineAndExit1() throws Exception {
    Path key = dir.resolve("ops.key");
    assertThat(CliRun.of("model", "keygen", "--key-id", "ops", "--out", key.toString()).code()).isZero();
    Path model = Files.write(dir.resolve("m.bin"), new byte[5_000]);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }

    CliRun run = CliRun.of("model", "publish", "--url", "http://127.0.0.1:" + closed, "--admin-key", "k", "--name", "policy",
      "--version", "v1", "--file", model.toString(), "--private-key", key.toString(), "--key-id", "ops");

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.errLines()).containsExactly("netflow: cannot connect to http://127.0.0.1:" + closed);
  }

  @Test
  void eachCommandsHelpListsItsOptions() {
    Map<String, List<String>> options = Map.of(
      "keygen", List.of("--key-id=ID", "--out=FILE"),
      "sign", List.of("--name=NAME", "--version=V", "--file=MODEL", "--private-key=FILE", "--key-id=ID", "--chunk-bytes=N"),
      "publish", List.of("--url=URL", "--admin-key=KEY", "--name=NAME", "--version=V", "--file=MODEL", "--private-key=FILE",
        "--key-id=ID", "--chunk-bytes=N"));
    options.forEach((command, names) -> {
      CliRun run = CliRun.of("model", command, "--help");
      assertThat(run.code()).isZero();
      assertThat(run.out()).startsWith("Usage: java -jar netflow-node.jar model " + command).contains(names).contains("-h, --help");
    });
    CliRun model = CliRun.of("model", "--help");
    assertThat(model.out()).contains("keygen", "publish", "sign");
    CliRun bare = CliRun.of("model");
    assertThat(bare.code()).isEqualTo(2);
    assertThat(bare.errLines()).containsExactly("netflow: missing command: keygen, publish or sign; "
      + "see 'java -jar netflow-node.jar model --help'");
  }

  /** {@code model sign} of a good version, with some options replaced or added. */
  private static String[] sign(Path model, Path key, List<String> change) {
    Map<String, String> options = new LinkedHashMap<>(Map.of("--name", "policy", "--version", "v3",
      "--file", model.toString(), "--private-key", key.toString(), "--key-id", "ops"));
    options.put(change.get(0), change.get(1));
    List<String> args = new ArrayList<>(List.of("model", "sign"));
    options.forEach((k, v) -> args.addAll(List.of(k, v)));
    return args.toArray(String[]::new);
  }
}
