package io.netflow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HttpApiTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  /** Answers with the name of the event loop that took the connection. */
  private static final RouteContributor WHO = (v, router) -> router.get("/who")
    .handler(ctx -> ctx.end(Thread.currentThread().getName()));

  private HttpApi deploy(Vertx vertx, HttpOptions options) {
    HealthChecks none = HealthChecks.create(vertx);
    return HttpApi.deploy(vertx, 4, options, none, none, registry, List.of(WHO)).await();
  }

  @Test
  void connectionsSpreadOverEveryInstance(Vertx vertx) throws Exception {
    HttpApi api = deploy(vertx, new HttpOptions().setPort(0).setInstances(3));
    assertThat(api.instances()).isEqualTo(3);
    Set<String> loops = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      try (Socket s = new Socket("127.0.0.1", api.port())) {
        String answer = ask(s, "/who", true);
        assertThat(answer).startsWith("HTTP/1.1 200");
        loops.add(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      }
    }
    assertThat(loops).as("each instance on its own event loop, each taking connections").hasSize(3)
      .allMatch(name -> name.startsWith("vert.x-eventloop-thread-"));
    api.undeploy().await();
  }

  /**
   * The OpenAPI document reads every part's schema files and, in a fresh JVM, initialises Jackson:
   * over a second of a node's first HTTP instance's event loop cold (Vert.x warned of a blocked loop
   * in CI). It is assembled once, on a worker, and every instance serves that one.
   */
  @Test
  void theOpenApiDocumentIsAssembledOnceOffTheEventLoops(Vertx vertx) throws Exception {
    List<String> assembledOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    RouteContributor described = new RouteContributor() {
      @Override
      public void mount(Vertx v, io.vertx.ext.web.Router router) {
      }

      @Override
      public io.vertx.core.json.JsonObject openApi() {
        assembledOn.add(Thread.currentThread().getName());
        return new io.vertx.core.json.JsonObject().put("paths", new io.vertx.core.json.JsonObject()
          .put("/described", new io.vertx.core.json.JsonObject()));
      }
    };
    HealthChecks none = HealthChecks.create(vertx);
    HttpApi api = HttpApi.deploy(vertx, 4, new HttpOptions().setPort(0).setInstances(3), none, none, registry,
      List.of(described)).await();
    assertThat(assembledOn).as("once, on a worker").hasSize(1).allMatch(name -> name.startsWith("vert.x-worker-thread-"));
    for (int i = 0; i < 6; i++) {
      try (Socket s = new Socket("127.0.0.1", api.port())) {
        assertThat(ask(s, "/v1/openapi.json", true)).startsWith("HTTP/1.1 200").contains("\"/described\"");
      }
    }
    api.undeploy().await();
  }

  @Test
  void zeroInstancesIsOnePerEventLoop(Vertx vertx) {
    HttpApi api = deploy(vertx, new HttpOptions().setPort(0));
    assertThat(api.instances()).isEqualTo(4);
    assertThat(api.routes()).contains("GET /who", "GET /health");
  }

  @Test
  void theConnectionLimitIsNodeWide(Vertx vertx) throws Exception {
    HttpApi api = deploy(vertx, new HttpOptions().setPort(0).setInstances(3).setMaxConnections(2));
    List<Socket> held = new ArrayList<>();
    try {
      // Two connections, on two instances, each surely counted once answered.
      for (int i = 0; i < 2; i++) {
        Socket s = new Socket("127.0.0.1", api.port());
        held.add(s);
        assertThat(ask(s, "/who", false)).startsWith("HTTP/1.1 200");
      }
      // The third lands on the third instance, which has none of its own open: still refused.
      try (Socket third = new Socket("127.0.0.1", api.port())) {
        assertThat(ask(third, "/who", true)).startsWith("HTTP/1.1 503").contains("gateway.max-connections");
      }
      held.remove(0).close();
      // One closed: room again, wherever the next connection lands.
      awaitServed(api.port());
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  private static void awaitServed(int port) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        if (ask(s, "/who", true).startsWith("HTTP/1.1 200")) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no room after a connection closed");
      }
      Thread.sleep(50);
    }
  }

  /** One request; reads to the end when the connection closes after it, else just the answer's head and body. */
  private static String ask(Socket s, String path, boolean close) throws IOException {
    s.setSoTimeout(5_000);
    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
      .getBytes(StandardCharsets.US_ASCII));
    if (close) {
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    byte[] buf = new byte[4096];
    int n = s.getInputStream().read(buf);
    return new String(buf, 0, Math.max(0, n), StandardCharsets.UTF_8);
  }
}
