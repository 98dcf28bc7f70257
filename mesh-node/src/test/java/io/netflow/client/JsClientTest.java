package io.netflow.client;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript client's own tests ({@code src/test/node/netflow-client.test.mjs}, {@code node --test})
 * against two real nodes this test starts: the served module, sends and subscriptions, Retry-After,
 * refusals, and failover off a draining node.
 */
class JsClientTest {

  private static final Path SCRIPT_DIR = Path.of("src", "test", "node");

  @Test
  void theJavaScriptClientPassesItsTestsAgainstRealNodes() throws Exception {
    List<String> keys = List.of(ApiKeys.entry("game", "js-game-secret", "publish:echo publish:news subscribe:news"),
      ApiKeys.entry("ops", "js-admin-secret", "admin"));
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.API_KEYS, keys).set(NodeKeys.RATE, 5L).set(NodeKeys.RATE_BURST, 5L));
      NetflowNode b = mesh.start("b", cfg -> cfg.set(NodeKeys.API_KEYS, keys).set(NodeKeys.RATE, 5L).set(NodeKeys.RATE_BURST, 5L));
      for (NetflowNode n : List.of(a, b)) {
        join(n.mesh().host("echo", e -> Future.succeededFuture(Buffer.buffer("echo:" + e.payload()))));
      }
      mesh.awaitHosts("echo", 2);
      Path log = Files.createTempFile("netflow-js", ".log");
      ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=tap", "netflow-client.test.mjs")
        .directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("NETFLOW_NODES", a.httpUrl() + "," + b.httpUrl());
      pb.environment().put("NETFLOW_KEY", "js-game-secret");
      pb.environment().put("NETFLOW_ADMIN_KEY", "js-admin-secret");
      Process node = pb.start();
      try {
        assertThat(node.waitFor(120, TimeUnit.SECONDS)).as("node --test finished").isTrue();
        String out = Files.readString(log);
        System.out.println(out);
        assertThat(node.exitValue()).as(out).isZero();
        assertThat(out).contains("# pass 5").contains("# fail 0");
      } finally {
        node.destroyForcibly();
        Files.deleteIfExists(log);
      }
    }
  }
}
