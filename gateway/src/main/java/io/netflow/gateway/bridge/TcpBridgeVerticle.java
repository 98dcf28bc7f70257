package io.netflow.gateway.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Vert.x TCP event-bus bridge, for clients in any language, guarded by {@link BridgeGuard}. */
public class TcpBridgeVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TcpBridgeVerticle.class);

  private final BridgeGuard.Factory guards;
  private final String host;
  private final int port;
  private TcpEventBusBridge bridge;

  public TcpBridgeVerticle(BridgeGuard.Factory guards, String host, int port) {
    this.guards = guards;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    BridgeGuard guard = guards.create(vertx);
    Set<NetSocket> watched = new HashSet<>();
    bridge = TcpEventBusBridge.create(vertx, BridgeGuard.options(), new NetServerOptions(), event -> {
      NetSocket socket = event.socket();
      if (event.type() == BridgeEventType.REGISTER && socket instanceof NetSocketInternal s && watched.add(socket)) {
        // The TCP bridge emits no SOCKET_CLOSED and keeps the socket's close handler for itself:
        // its topics are given back when the channel closes.
        s.channelHandlerContext().channel().closeFuture().addListener(f -> context.runOnContext(v -> {
          watched.remove(socket);
          guard.closed(socket);
        }));
      }
      guard.allows(event.type(), event.getRawMessage(), socket).onComplete(ar -> event.complete(ar.succeeded() && ar.result()));
    });
    return bridge.listen(port, host).onSuccess(b -> LOG.info("TCP event-bus bridge listening on {}:{}", host, port));
  }
}
