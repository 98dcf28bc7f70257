package io.netflow.node;

import static io.netflow.node.TestMesh.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.NodeState;
import io.netflow.gateway.protocol.Priority;
import io.netflow.gateway.protocol.Role;
import io.netflow.load.LoadSample;
import io.netflow.load.TrafficLoad;
import io.netflow.membership.LoadReport;
import io.netflow.membership.NodeDescriptor;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nothing a caller sends, and no coming and going of nodes, grows the node's metric series. */
class BoundedMetricsTest {

  @Test
  void madeUpMethodsAndNodesThatComeAndGoAddNoSeries() throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      NetflowNode a = mesh.start("a");
      status(a, "GET /v1/nothing-here");
      status(a, "M00000X /v1/messages");
      java.util.Set<Meter.Id> before = ids(a);
      long httpSeries = series(a, "netflow.http.server.requests");

      // 1,000 requests, no key, each with a method of its own.
      for (int i = 1; i <= 1_000; i++) {
        assertThat(status(a, String.format("M%05dX /v1/messages", i))).isIn(404, 405, 400, 501);
      }
      assertThat(series(a, "netflow.http.server.requests")).isEqualTo(httpSeries);
      assertThat(a.registry().find("netflow.http.server.requests").tag("method", "other").timers()).isNotEmpty();

      // 100 nodes join (a load report in the view), take traffic (their links and reroutes are
      // metered by destination), and leave.
      for (int i = 0; i < 100; i++) {
        String id = "phantom-" + i;
        a.view().accept(report(id));
        join(a.mesh().request(Envelope.toService("phantom").priority(Priority.NORMAL).timeoutMillis(200).payload("x")
          .build()).otherwiseEmpty());
        assertThat(tagged(a, id)).as("meters of a node in the mesh").isNotZero();
        a.view().remove(id);
        TestMesh.await(java.time.Duration.ofSeconds(5), id + "'s meters gone", () -> tagged(a, id) == 0);
      }
      // What the traffic added is of a closed set (requests dropped, by priority and code), nothing per node.
      java.util.Set<Meter.Id> added = ids(a);
      added.removeAll(before);
      assertThat(added).allSatisfy(id -> assertThat(id.getTags()).noneMatch(t -> t.getValue().startsWith("phantom")));
      assertThat(added).hasSizeLessThan(5);
    }
  }

  private static LoadReport report(String id) {
    NodeDescriptor node = new NodeDescriptor(id, id, Role.EDGE, "local", 1.0, "http://127.0.0.1:1", 1 << 20, 1 << 20,
      System.currentTimeMillis());
    TrafficLoad traffic = new TrafficLoad(List.of("phantom"), 0, 0, 100, false, new JsonObject(), new JsonObject());
    return new LoadReport(node, 1, System.currentTimeMillis(), NodeState.UP, new LoadSample(0.1, 1, 2, 0), traffic);
  }

  private static java.util.Set<Meter.Id> ids(NetflowNode n) {
    java.util.Set<Meter.Id> ids = new java.util.HashSet<>();
    n.registry().getMeters().forEach(m -> ids.add(m.getId()));
    return ids;
  }

  private static long series(NetflowNode n, String name) {
    return n.registry().getMeters().stream().filter(m -> m.getId().getName().equals(name)).count();
  }

  private static long tagged(NetflowNode n, String value) {
    return n.registry().getMeters().stream().map(Meter::getId)
      .filter(id -> id.getTags().stream().anyMatch(t -> t.getValue().equals(value))).count();
  }

  /** Sends a bare request line over its own connection and returns the status code. */
  private static int status(NetflowNode n, String requestLine) throws Exception {
    try (Socket s = new Socket("127.0.0.1", n.httpPort())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write((requestLine + " HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      return Integer.parseInt(head.substring(9, 12));
    }
  }
}
