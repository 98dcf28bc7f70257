package io.netflow.mesh.impl;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Whether a peer that went silent is still there: one TCP connection to its event-bus port (Envoy's
 * connect-only TCP health check). A refused connection means the process that owned the port is
 * gone (killed, crashed, exited), which the cluster learns only after its own failure detector has
 * run (0.4 s on a quiet machine, over a second on a busy one, and the heartbeat timeout when the
 * connection drop is not seen); the event bus meanwhile fails nothing sent to it, and callers would
 * wait out their attempt timeouts.
 *
 * <p>A connection that is accepted proves little: the kernel accepts for a process that is hung,
 * and for one that was killed but is still being torn down (its threads and memory released before
 * its sockets are closed: 0.2-0.7 s for a node's JVM on a busy 2-core machine in the chaos suite).
 * So an accepted connection is held, up to the probe's timeout: when the listening socket closes,
 * the kernel resets the connections waiting on it, and the port is tried once more; refused then,
 * the process is gone, found the moment its sockets close. A connection still open at the end of
 * the hold (a live or hung process), or one that does not complete in time, says "not refused",
 * and the attempt timeout and the cluster's heartbeat stay in charge. One probe per node runs at a
 * time; a check asked for while one runs gets its answer.
 *
 * <p>A peer's address is learned while it is alive ({@link #learn}, when a link to it is made): the
 * cluster keeps it in a partitioned map, whose entries on a dead member's partitions cannot be read
 * until the cluster has removed that member.
 */
public final class PeerProbe {

  private final Vertx vertx;
  private final Function<String, Future<SocketAddress>> addresses;
  private final NetClient client;
  private final long timeoutMs;
  private final Map<String, Future<SocketAddress>> known = new ConcurrentHashMap<>();
  private final Map<String, Future<Boolean>> running = new ConcurrentHashMap<>();

  /**
   * @param addresses where a node's event bus listens (null when unknown)
   * @param timeoutMs the longest a probe waits for the peer's address, then for its connection, and
   *                  then holds it open (a check takes a few times this at most)
   */
  public PeerProbe(Vertx vertx, Function<String, Future<SocketAddress>> addresses, int timeoutMs) {
    this.vertx = vertx;
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

  /**
   * True when {@code nodeId}'s event-bus port refuses connections, now or before an accepted
   * connection's hold ends; false when it accepts throughout, or nothing is known.
   */
  public Future<Boolean> refuses(String nodeId) {
    Promise<Boolean> mine = Promise.promise();
    Future<Boolean> ongoing = running.putIfAbsent(nodeId, mine.future());
    if (ongoing != null) {
      return ongoing;
    }
    // Begun inside a future: a lookup that throws is a failure like any other, never a check stuck for good.
    Future.succeededFuture().compose(v -> address(nodeId)).compose(address -> address == null ? Future.succeededFuture(false)
        : client.connect(address).compose(socket -> held(socket, address)))
      .recover(failure -> Future.succeededFuture(refusal(failure)))
      .onComplete(ar -> {
        running.remove(nodeId, mine.future());
        mine.handle(ar);
      });
    return mine.future();
  }

  /**
   * Holds an accepted connection up to the timeout: closed by the other side meanwhile (the
   * listening socket went, and the kernel reset what waited on it), the port is tried once more.
   */
  private Future<Boolean> held(NetSocket socket, SocketAddress address) {
    Promise<Boolean> closed = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, t -> {
      if (closed.tryComplete(false)) {
        socket.close();
      }
    });
    socket.handler(ignored -> { });
    socket.exceptionHandler(ignored -> { });
    socket.closeHandler(v -> {
      vertx.cancelTimer(timer);
      closed.tryComplete(true);
    });
    return closed.future().compose(byPeer -> !byPeer ? Future.succeededFuture(false)
      : client.connect(address).compose(again -> again.close().map(false)));
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
