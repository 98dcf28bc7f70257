package io.netflow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Java client against a real node: it waits as long as the mesh asks, and never retries a request that is wrong. */
class NetflowClientTest {

  private static final String KEY = "client-secret";

  @Test
  void aClientToldToRetryAfterWaitsThatLongAndAWrongRequestIsNotRetried() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("a", cfg -> cfg.set(NodeKeys.API_KEYS, List.of(ApiKeys.entry("game", KEY, "publish:netflow.*")))
        .set(NodeKeys.RATE, 1L).set(NodeKeys.RATE_BURST, 1L));
      try (NetflowClient client = new NetflowClient(HttpClient.newHttpClient(),
        NetflowClient.Options.of(List.of(URI.create(a.httpUrl())), KEY))) {
        client.connect().get(10, TimeUnit.SECONDS);

        // One message a second: the second and third are refused RATE_LIMITED (retry after 1 s), then sent again.
        long t0 = System.nanoTime();
        List<CompletableFuture<NetflowClient.Ack>> sends = new ArrayList<>();
        List<Long> ackedAtMs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          CompletableFuture<NetflowClient.Ack> f = client.send(Message.toService("netflow.ping", "ping " + i)
            .priority(Message.Priority.HIGH));
          f.thenRun(() -> {
            synchronized (ackedAtMs) {
              ackedAtMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }
          });
          sends.add(f);
        }
        for (CompletableFuture<NetflowClient.Ack> f : sends) {
          assertThat(f.get(10, TimeUnit.SECONDS).reply()).isEqualTo("a");
        }
        synchronized (ackedAtMs) {
          ackedAtMs.sort(Long::compare);
          assertThat(ackedAtMs.get(0)).as("the first goes at once").isLessThan(900);
          assertThat(ackedAtMs.get(1)).as("the next waits the second it was told").isGreaterThanOrEqualTo(950);
          assertThat(ackedAtMs.get(2)).as("and the one after, another").isGreaterThanOrEqualTo(1_900);
        }

        // A request the key may not make is refused FORBIDDEN, at once and for good.
        Thread.sleep(1_100);
        long t1 = System.nanoTime();
        assertThatThrownBy(() -> client.send(Message.toService("game.actions", "jump")).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(MeshError.class, e -> {
            assertThat(e.code()).isEqualTo(1003);
            assertThat(e.retryable()).isFalse();
          });
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofMillis(900));
      }
    }
  }
}
