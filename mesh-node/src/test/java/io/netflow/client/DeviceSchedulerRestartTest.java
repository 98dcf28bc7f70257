package io.netflow.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Micro Node app is killed (-9) while its scheduler carries 500 queued contributions, and started
 * again on the same disk: every contribution is credited, exactly once.
 */
class DeviceSchedulerRestartTest {

  private static final String KEY = "device-secret";
  private static final int COUNT = 500;

  @TempDir
  Path dir;

  @Test
  void aKilledAppStartedAgainHasEveryContributionCreditedOnce() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.API_KEYS, List.of(ApiKeys.entry("device-1", KEY, "contribute")))
        .set(NodeKeys.REWARD_WINDOW, 2_000L).set(NodeKeys.REWARD_RATE, 1_000_000L));
      Path queue = dir.resolve("queue");
      Path log1 = dir.resolve("run-1.log");
      Process first = app(a, queue, log1);
      try {
        TestMesh.await(Duration.ofSeconds(60), "some contributions credited before the kill",
          () -> count(queue.resolve("receipts")) >= 100);
      } finally {
        first.destroyForcibly();
        first.waitFor(10, TimeUnit.SECONDS);
      }
      long endedBefore = count(queue.resolve("receipts"));
      // A request killed between writing its receipt and deleting its pending file has ended: count it once.
      long waiting = names(queue.resolve("pending")).stream().filter(n -> !names(queue.resolve("receipts")).contains(n)).count();
      assertThat(endedBefore + waiting).as("nothing queued is lost in the kill").isEqualTo(COUNT);
      assertThat(endedBefore).as("killed while carrying").isLessThan(COUNT);
      System.out.printf("[measure] app killed with %d of %d contributions ended, %d waiting on its disk%n", endedBefore,
        COUNT, waiting);

      Path log2 = dir.resolve("run-2.log");
      Process second = app(a, queue, log2);
      try {
        assertThat(second.waitFor(90, TimeUnit.SECONDS)).as(Files.readString(log2)).isTrue();
        assertThat(second.exitValue()).as(Files.readString(log2)).isZero();
      } finally {
        second.destroyForcibly();
      }
      assertThat(Files.readString(log2)).contains("queued " + (COUNT - endedBefore)).contains("all ended")
        .doesNotContain("refused");
      assertThat(count(queue.resolve("receipts"))).isEqualTo(COUNT);
      assertThat(count(queue.resolve("pending"))).isZero();

      HttpResponse<String> account = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(a.httpUrl() + "/v1/rewards/device-1")).header("Authorization", "Bearer " + KEY).build(),
        HttpResponse.BodyHandlers.ofString());
      assertThat(account.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(account.body()).getInteger("contributions")).as("credited once each").isEqualTo(COUNT);
    }
  }

  private static Process app(NetflowNode node, Path queue, Path log) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), ContributorProcess.class.getName(), node.httpUrl(), KEY,
      queue.toString(), String.valueOf(COUNT), "20000"));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static long count(Path dir) {
    return names(dir).size();
  }

  private static java.util.Set<String> names(Path dir) {
    if (!Files.isDirectory(dir)) {
      return java.util.Set.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).collect(java.util.stream.Collectors.toSet());
    } catch (Exception e) {
      return java.util.Set.of();
    }
  }
}
