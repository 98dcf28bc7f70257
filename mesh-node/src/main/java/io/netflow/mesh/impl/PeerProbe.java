package io.netflow.mesh.impl;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Whether a peer that went silent is still there: one TCP connection to its event-bus port, closed
 * at once (Envoy's connect-only TCP health check). A refused connection means the process that
 * owned the port is gone (killed, crashed, exited), which the cluster learns only after its own
 * failure detector has run (0.4 s on a quiet machine, over a second on a busy one, and the
 * heartbeat timeout when the connection drop is not seen); the event bus meanwhile fails nothing
 * sent to it, and callers would wait out their attempt timeouts. A connection that is accepted, or
 * one that does not complete in time, proves nothing (a hung process still accepts): the answer is
 * then "not refused", and the attempt timeout and the cluster's heartbeat stay in charge.
 *
 * <p>A peer's address is learned while it is alive ({@link #learn}, when a link to it is made): the
 * cluster keeps it in a partitioned map, whose entries on a dead member's partitions cannot be read
 * until the cluster has removed that member.
 */
public final class PeerProbe {

  private final Function<String, Future<SocketAddress>> addresses;
  private final NetClient client;
  private final long timeoutMs;
  private final Map<String, Future<SocketAddress>> known = new ConcurrentHashMap<>();

  /**
   * @param addresses where a node's event bus listens (null when unknown)
   * @param timeoutMs the longest a probe waits for its connection
   */
  public PeerProbe(Vertx vertx, Function<String, Future<SocketAddress>> addresses, int timeoutMs) {
    this.addresses = addresses;
    this.timeoutMs = timeoutMs;
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(timeoutMs));
  }

  /** Learns where {@code nodeId}'s event bus listens, while it can still be asked. */
  public void learn(String nodeId) {
    address(nodeId);
  }

  /** The node left the cluster: its address goes. */
  public void forget(String nodeId) {
    known.remove(nodeId);
  }

  /** True when {@code nodeId}'s event-bus port refuses connections; false when it accepts, or nothing is known. */
  public Future<Boolean> refuses(String nodeId) {
    return address(nodeId).compose(address -> address == null ? Future.succeededFuture(false)
        : client.connect(address).compose(socket -> socket.close().map(false)))
      .recover(failure -> Future.succeededFuture(refusal(failure)));
  }

  /** The address learned, or asked for now; a lookup that fails, finds nothing or takes too long is asked again next time. */
  private Future<SocketAddress> address(String nodeId) {
    Future<SocketAddress> f = known.computeIfAbsent(nodeId, n -> addresses.apply(n).timeout(timeoutMs, TimeUnit.MILLISECONDS));
    f.onComplete(ar -> {
      if (ar.failed() || ar.result() == null) {
        known.remove(nodeId, f);
      }
    });
    return f;
  }

  /** A refusal, not a timeout (Netty's connect timeout is a {@link ConnectException} too). */
  static boolean refusal(Throwable failure) {
    return failure instanceof ConnectException && !(failure instanceof ConnectTimeoutException);
  }

  public Future<Void> close() {
    return client.close();
  }
}
