package io.netflow.gateway;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A client that is not NetFlow's own: Vert.x's event-bus bridge client from the npm registry,
 * run by Node.js, talks to node a's SockJS bridge; the service and the publisher are on node b.
 */
class NodeJsClientTest {

  private static final Path SCRIPT_DIR = Path.of("src", "test", "node");

  @Test
  void theNpmEventBusClientSendsSubscribesAndIsRefusedAWrongKey() throws Exception {
    String key = "node-secret";
    var keys = List.of(ApiKeys.entry("node-client", key, "publish:match subscribe:match-*"));
    AtomicBoolean ready = new AtomicBoolean();
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.API_KEYS, keys));
      NetflowNode b = mesh.start("b", cfg -> cfg.set(NodeKeys.API_KEYS, keys));
      join(b.mesh().host("match", e -> {
        if (e.payload().toString().equals("ready")) {
          ready.set(true);
        }
        return Future.succeededFuture(Buffer.buffer("b got " + e.payload()));
      }));
      mesh.awaitHosts("match", 1);
      Path log = Files.createTempFile("node-client", ".log");
      Process node = new ProcessBuilder("node", "bridge-client.js", a.httpUrl(), key)
        .directory(SCRIPT_DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        TestMesh.await(Duration.ofSeconds(15), "the node client is ready", ready::get);
        mesh.awaitSubscribers("match-5", 1);
        join(b.mesh().publish(Envelope.toTopic("match-5").payload("kickoff").build()));
        assertThat(node.waitFor(15, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
        assertThat(node.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("request answered, refusal seen, delivery received");
      } finally {
        node.destroyForcibly();
        Files.deleteIfExists(log);
      }
    }
  }
}
