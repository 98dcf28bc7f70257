package io.netflow.mesh.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The check of a silent peer: only a refused connection says it is gone. */
@ExtendWith(VertxExtension.class)
class PeerProbeTest {

  @Test
  void aListeningPeerIsThereOneWhosePortRefusesIsGoneAndAnUnknownOneIsNotJudged(Vertx vertx) throws Exception {
    // A port below the ephemeral range: once closed, no other socket of this machine takes it.
    NetServer server = vertx.createNetServer().connectHandler(socket -> { })
      .listen(io.netflow.node.TestMesh.freePort(), "127.0.0.1").toCompletionStage().toCompletableFuture()
      .get(5, TimeUnit.SECONDS);
    SocketAddress address = SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1");
    Map<String, SocketAddress> known = Map.of("alive", address);
    PeerProbe probe = new PeerProbe(vertx, node -> Future.succeededFuture(known.get(node)), 1_000);

    assertThat(await(probe.refuses("alive"))).as("a listening peer").isFalse();
    assertThat(await(probe.refuses("unknown"))).as("a node the cluster does not know").isFalse();
    server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    // The same port once nothing listens (asked until it says so: the listening socket goes on its own loop).
    io.netflow.node.TestMesh.await(java.time.Duration.ofSeconds(5), "the closed port refused", () -> {
      try {
        return await(probe.refuses("alive"));
      } catch (Exception e) {
        return false;
      }
    });
    PeerProbe failing = new PeerProbe(vertx, node -> Future.failedFuture(new IllegalStateException("cluster gone")), 1_000);
    assertThat(await(failing.refuses("alive"))).as("no address to be had").isFalse();
  }

  /**
   * A process killed but not yet torn down: the kernel still accepts on its port (into the
   * listening socket's queue, nobody to take the connection), until its sockets close. The chaos
   * suite saw a node's JVM take 0.2-0.7 s from SIGKILL to there, and a one-shot probe in that time
   * said "not refused". A held probe answers the moment the port closes.
   */
  @Test
  void aPortThatAcceptsUntilItsProcessIsTornDownIsFoundGoneWhenItCloses(Vertx vertx) throws Exception {
    java.net.ServerSocket dying = new java.net.ServerSocket(io.netflow.node.TestMesh.freePort(), 50,
      java.net.InetAddress.getLoopbackAddress());
    try {
      SocketAddress address = SocketAddress.inetSocketAddress(dying.getLocalPort(), "127.0.0.1");
      PeerProbe probe = new PeerProbe(vertx, node -> Future.succeededFuture(address), 3_000);
      long start = System.nanoTime();
      Future<Boolean> answer = probe.refuses("dying");
      Thread.sleep(300);
      assertThat(answer.isComplete()).as("answered while the port still accepts").isFalse();
      // One check at a time per node: a second one asked meanwhile gets the same answer.
      assertThat(probe.refuses("dying")).isSameAs(answer);
      dying.close();
      assertThat(await(answer)).as("gone once its port closed").isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("long before the hold ends").isLessThan(2_000);
      probe.close();
    } finally {
      dying.close();
    }
  }

  /** A lookup of the address that throws is a failed check ("not refused"), and the next check runs anew. */
  @Test
  void aLookupThatThrowsLeavesNoCheckStuck(Vertx vertx) throws Exception {
    PeerProbe probe = new PeerProbe(vertx, node -> {
      throw new IllegalStateException("cluster manager closed");
    }, 500);
    assertThat(await(probe.refuses("n"))).isFalse();
    assertThat(await(probe.refuses("n"))).isFalse();
    probe.close();
  }

  /** A hung process: its port accepts and nothing happens; after the hold, "not refused". */
  @Test
  void aPortThatAcceptsThroughTheHoldIsNotJudged(Vertx vertx) throws Exception {
    try (java.net.ServerSocket hung = new java.net.ServerSocket(io.netflow.node.TestMesh.freePort(), 50,
      java.net.InetAddress.getLoopbackAddress())) {
      SocketAddress address = SocketAddress.inetSocketAddress(hung.getLocalPort(), "127.0.0.1");
      PeerProbe probe = new PeerProbe(vertx, node -> Future.succeededFuture(address), 500);
      long start = System.nanoTime();
      assertThat(await(probe.refuses("hung"))).isFalse();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("held for the timeout").isGreaterThanOrEqualTo(450);
      // The next check is a new one.
      assertThat(await(probe.refuses("hung"))).isFalse();
    }
  }

  @Test
  void aConnectTimeoutIsNotARefusal() {
    assertThat(PeerProbe.refusal(new ConnectException("Connection refused"))).isTrue();
    assertThat(PeerProbe.refusal(new ConnectTimeoutException("connection timed out"))).isFalse();
    assertThat(PeerProbe.refusal(new IllegalStateException())).isFalse();
  }

  private static boolean await(Future<Boolean> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
