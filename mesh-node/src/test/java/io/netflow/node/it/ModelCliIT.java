package io.netflow.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.AdminAuth;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publisher's tools from the jar: keygen, then publish to a running node, which activates the version. */
class ModelCliIT {

  @TempDir
  Path dir;
  private final List<NodeProcess> started = new ArrayList<>();

  @AfterEach
  void killAll() throws InterruptedException {
    for (NodeProcess p : started) {
      p.close();
    }
  }

  @Test
  void keygenThenPublishActivatesTheVersion() throws Exception {
    Path key = dir.resolve("ops.key");
    NodeProcess keygen = NodeProcess.start("keygen", List.of("model", "keygen", "--key-id", "ops", "--out", key.toString()), Map.of());
    started.add(keygen);
    assertThat(keygen.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(keygen.process.exitValue()).isZero();
    String trusted = Files.readAllLines(keygen.stdout).stream().filter(l -> l.startsWith("or NETFLOW_MODELS_TRUSTED_KEYS="))
      .findFirst().orElseThrow().substring("or NETFLOW_MODELS_TRUSTED_KEYS=".length());

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    NodeProcess node = NodeProcess.start("model-node", List.of("--http-port", String.valueOf(port), "--cluster-port",
      String.valueOf(port + 1), "--data-dir", dir.toString()), Map.of("NETFLOW_CLUSTER_NAME", "it-" + UUID.randomUUID(),
      "NETFLOW_MODELS_TRUSTED_KEYS", trusted, "NETFLOW_HTTP_ADMIN_KEY_SHA256", AdminAuth.sha256Hex("s3cret"),
      "NETFLOW_HTTP_PORT_COUNT", "1"));
    started.add(node);
    node.awaitReady(Duration.ofSeconds(60));

    byte[] bytes = new byte[500_000];
    new Random(3).nextBytes(bytes);
    Path model = Files.write(dir.resolve("policy.bin"), bytes);
    NodeProcess publish = NodeProcess.start("publish", List.of("model", "publish", "--url", node.httpUrl().orElseThrow(),
      "--admin-key", "s3cret", "--name", "policy", "--version", "v1", "--file", model.toString(), "--private-key",
      key.toString(), "--key-id", "ops"), Map.of());
    started.add(publish);
    assertThat(publish.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(publish.process.exitValue()).as(Files.readString(publish.stderr)).isZero();
    assertThat(Files.readString(publish.stdout)).startsWith("201 ");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String state = "";
    while (!state.equals("ACTIVE") && System.nanoTime() < deadline) {
      JsonObject rollout = new JsonObject(node.get("/v1/models/policy/v1/rollout"));
      state = rollout.getJsonArray("nodes").isEmpty() ? "" : rollout.getJsonArray("nodes").getJsonObject(0).getString("state");
      Thread.sleep(100);
    }
    assertThat(state).isEqualTo("ACTIVE");

    NodeProcess again = NodeProcess.start("publish-again", List.of("model", "publish", "--url", node.httpUrl().orElseThrow(),
      "--admin-key", "s3cret", "--name", "policy", "--version", "v1", "--file", model.toString(), "--private-key",
      key.toString(), "--key-id", "ops"), Map.of());
    started.add(again);
    assertThat(again.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(again.process.exitValue()).isEqualTo(1);
    assertThat(Files.readString(again.stderr)).startsWith("409 ").contains("\"code\":1005");
  }
}
