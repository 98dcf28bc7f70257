package io.netflow.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCliTest {

  @TempDir
  Path dir;

  @Test
  void signPrintsASignatureTheNodeAccepts() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    Path key = dir.resolve("ops.key");
    assertThat(ModelCli.run(List.of("keygen", "--key-id", "ops", "--out", key.toString()), print, print)).isZero();
    String trusted = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("or NETFLOW_MODELS_TRUSTED_KEYS="))
      .findFirst().orElseThrow().substring("or NETFLOW_MODELS_TRUSTED_KEYS=".length());
    Path model = Files.write(dir.resolve("m.bin"), new byte[200_000]);
    out.reset();
    assertThat(ModelCli.run(List.of("sign", "--name", "policy", "--version", "v3", "--file", model.toString(),
      "--private-key", key.toString(), "--key-id", "ops"), print, print)).isZero();
    String signature = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("signature:"))
      .findFirst().orElseThrow().substring("signature:".length()).trim();
    // What a node does with an upload: describe what arrived, attach the given signature, verify it.
    ModelManifest received = ModelStore.describe(model, "policy", "v3", 65_536).withSignature("ops", signature);
    ModelKeys.trusting(List.of(trusted)).verify(received);
    assertThat(ModelCli.run(List.of("sign", "--name", "policy"), print, print)).isEqualTo(1);
  }
}
