package io.netflow.models;

import static io.netflow.node.TestMesh.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.client.NetflowClient;
import io.netflow.client.models.ModelFollower;
import io.netflow.client.models.ModelSync;
import io.netflow.gateway.auth.ApiKeys;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device follows a model over its WebSocket: a new version published anywhere in the mesh is
 * pushed to it ({@code {"op":"model"}}), and it downloads, verifies and switches long before its
 * next poll would have asked.
 */
class ModelPushTest {

  private static final String DEVICE_KEY = "device-secret";

  @TempDir
  Path tmp;

  @Test
  void aNewVersionIsPushedToAFollowingDeviceWhichSwitchesWithoutWaitingForItsPoll() throws Exception {
    ModelFixture fx = new ModelFixture(tmp);
    try (TestMesh mesh = new TestMesh()) {
      var cfg = fx.trusting(c -> c.set(NodeKeys.API_KEYS, List.of(ApiKeys.entry("phone", DEVICE_KEY, "models:policy*")))
        .set(NodeKeys.DEVICE_WAVES, List.of("100")).set(NodeKeys.DEVICE_RANGE, 256 * 1024));
      NetflowNode a = mesh.start("a", cfg);
      NetflowNode b = mesh.start("b", cfg);
      assertThat(fx.publish(a, "policy", "v1", fx.model("v1.bin", 300_000, 1)).statusCode()).isEqualTo(201);

      HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
      ModelSync sync = new ModelSync(http, new ModelSync.Options(List.of(URI.create(b.httpUrl())), DEVICE_KEY, "phone-7",
        Files.createDirectories(tmp.resolve("phone-7")), ModelSync.trust("ops=" + ModelKeys.encode(fx.publisher.getPublic())),
        256 * 1024, Duration.ofSeconds(10)));
      List<String> switched = new CopyOnWriteArrayList<>();
      List<RuntimeException> errors = new CopyOnWriteArrayList<>();
      try (NetflowClient client = new NetflowClient(http, NetflowClient.Options.of(List.of(URI.create(b.httpUrl())),
        DEVICE_KEY)); ModelFollower follower = new ModelFollower(client, sync, List.of("policy"), Duration.ofMinutes(10),
        o -> switched.add(o.version()), errors::add)) {
        List<String> frames = new CopyOnWriteArrayList<>();
        client.onFrame(f -> frames.add(f.path("op").asText() + ":" + f.path("model").asText() + ":" + f.path("version").asText()));
        client.connect().get(10, TimeUnit.SECONDS);
        follower.start();
        await(Duration.ofSeconds(20), "v1 on the device", () -> switched.contains("v1"));
        await(Duration.ofSeconds(5), "following", () -> frames.contains("following:policy:"));

        // v2 is published on a; the device, connected to b, polls only every 10 minutes.
        Path v2 = fx.model("v2.bin", 400_000, 2);
        long t0 = System.nanoTime();
        assertThat(fx.publish(a, "policy", "v2", v2).statusCode()).isEqualTo(201);
        await(Duration.ofSeconds(30), "v2 on the device", () -> switched.contains("v2"));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.printf("[measure] a version published on another node was on the following device %d ms later%n", ms);
        assertThat(frames).contains("model:policy:v2");
        assertThat(sync.file("policy", "v2")).hasSameBinaryContentAs(v2);
        assertThat(sync.active("policy")).hasValue("v2");
        assertThat(errors).isEmpty();
      }
    }
  }
}
