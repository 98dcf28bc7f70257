package io.netflow.gateway.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
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
    bridge = TcpEventBusBridge.create(vertx, BridgeGuard.options(), new NetServerOptions(),
      event -> event.complete(guard.allows(event.type(), event.getRawMessage())));
    return bridge.listen(port, host).onSuccess(b -> LOG.info("TCP event-bus bridge listening on {}:{}", host, port));
  }
}
