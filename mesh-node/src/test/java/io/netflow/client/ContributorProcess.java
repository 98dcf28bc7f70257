package io.netflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netflow.client.schedule.Conditions;
import io.netflow.client.schedule.Contributions;
import io.netflow.client.schedule.DataRequest;
import io.netflow.client.schedule.DeviceScheduler;
import io.netflow.client.schedule.FileRequestStore;
import io.netflow.client.schedule.HttpRewardSource;
import io.netflow.client.schedule.RequestClass;
import io.netflow.client.schedule.SchedulerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A Micro Node app in its own JVM, as {@code DeviceSchedulerRestartTest} runs it: {@code <nodeUrl>
 * <apiKey> <dir> <count> <deadlineMs>} queues {@code count} contributions (ids {@code c-0...}; those
 * already queued or ended are skipped, as an app submitting again after a restart would be) and
 * carries them with the device scheduler, printing {@code ended <id>} for each, then {@code all ended}.
 */
public final class ContributorProcess {

  private ContributorProcess() {
  }

  public static void main(String[] args) throws Exception {
    URI node = URI.create(args[0]);
    String key = args[1];
    Path dir = Path.of(args[2]);
    int count = Integer.parseInt(args[3]);
    long deadlineMs = Long.parseLong(args[4]);
    HttpClient http = HttpClient.newHttpClient();
    MeshHttp mesh = new MeshHttp(http, new MeshNodes(http, List.of(node), key, null, Duration.ofSeconds(2)), key,
      Duration.ofSeconds(5));
    FileRequestStore store = new FileRequestStore(dir, 10_000, 1L << 30, 100_000);
    SchedulerOptions options = SchedulerOptions.defaults().tick(Duration.ofMillis(100)).deadlineGuard(Duration.ofSeconds(2))
      .retry(Duration.ofMillis(500));
    DeviceScheduler scheduler = new DeviceScheduler(options, store, new HttpRewardSource(mesh), () -> Conditions.IDEAL,
      Map.of(Contributions.KIND, new Contributions(mesh)), InstantSource.system(), key.hashCode());
    scheduler.onEnded(r -> System.out.println("ended " + r.id() + (r.done() ? "" : " refused " + r.body())));
    ObjectMapper json = new ObjectMapper();
    Instant now = Instant.now();
    for (int i = 0; i < count; i++) {
      String payload = "contribution " + i;
      ObjectNode c = json.createObjectNode().put("id", "c-" + i).put("type", "telemetry")
        .put("size", payload.getBytes(StandardCharsets.UTF_8).length).put("sha256", sha256(payload)).put("payload", payload);
      scheduler.submit(DataRequest.contribution(c, RequestClass.NORMAL, now.plusMillis(deadlineMs), 1, now));
    }
    System.out.println("queued " + store.pending().size());
    scheduler.start();
    while (!store.pending().isEmpty()) {
      Thread.sleep(50);
    }
    System.out.println("all ended");
    scheduler.close();
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
