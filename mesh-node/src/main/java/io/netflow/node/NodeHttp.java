package io.netflow.node;

import io.netflow.console.ConsoleRoutes;
import io.netflow.gateway.auth.Scope;
import io.netflow.gateway.bridge.BridgeGuard;
import io.netflow.gateway.bridge.TcpBridgeVerticle;
import io.netflow.gateway.http.GatewayRoutes;
import io.netflow.gateway.http.HttpApi;
import io.netflow.gateway.http.RouteContributor;
import io.netflow.membership.MembershipRoutes;
import io.netflow.models.DeviceRoutes;
import io.netflow.models.ModelRoutes;
import io.netflow.node.config.ConfigException;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import io.netflow.rewards.RewardRoutes;
import io.netflow.scheduling.WorkRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import java.util.List;
import java.util.SortedSet;

/**
 * The node's public face: one HTTP server, on {@code gateway.instances} event loops, carrying every
 * part's routes (the message API first, then the console and each capability's), and the TCP
 * event-bus bridge. The one place that knows which parts there are; each part brings its own
 * routes, OpenAPI fragment and scopes.
 */
final class NodeHttp {

  private final NetflowNode node;
  private final NodeConfig config;
  private GatewayRoutes gateway;
  private List<Scope> scopes;
  private HttpApi api;

  NodeHttp(NetflowNode node, NodeConfig config) {
    this.node = node;
    this.config = config;
  }

  /** Starts the HTTP server; completes with its port. Fails naming a key that names no known scope. */
  Future<Integer> deploy() {
    Vertx vertx = node.vertx();
    HealthChecks liveness = HealthChecks.create(vertx).register("process", p -> p.complete(Status.OK()));
    HealthChecks readiness = HealthChecks.create(vertx)
      .register("cluster", p -> p.complete(node.clusterActive() ? Status.OK() : Status.KO()))
      .register("node", p -> p.complete(node.readiness()));
    gateway = new GatewayRoutes(NodeOptions.gateway(config));
    int maxBody = config.getInt(NodeKeys.MAX_BODY);
    long consoleMs = NetflowNode.consoleIntervalMs();
    // The message API first: it takes most requests, and the router tries routes in order.
    List<RouteContributor> parts = List.of(gateway,
      new ConsoleRoutes(new ConsoleState(vertx, node.view(), node.meshLoad(), node.models(), node.devices(),
        node.schedulerVerticle(), node.rewards(), node::clusterSize, node.registry(), consoleMs / 2), consoleMs),
      new MembershipRoutes(gateway.admin()),
      new ModelRoutes(node.models(), node.modelOptions(), gateway.admin(), node.dataDir().resolve("uploads")),
      new DeviceRoutes(node.devices(), gateway.authenticate(), gateway.admin()),
      new WorkRoutes(node.scheduler(), gateway.authenticate(), maxBody),
      new RewardRoutes(node.rewards(), node.rewardOptions(), gateway.authenticate(), maxBody),
      new SdkRoutes());
    scopes = parts.stream().flatMap(p -> p.scopes().stream()).toList();
    try {
      gateway.keys().requireKnown(scopes);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ConfigException("gateway.api-keys: " + e.getMessage()));
    }
    // The node's Vert.x keeps the default event-loop pool (twice the cores): gateway.instances 0 is one per loop.
    return HttpApi.deploy(vertx, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, NodeOptions.http(config), liveness, readiness,
      node.registry(), parts).map(deployed -> {
        api = deployed;
        return deployed.port();
      });
  }

  /** Starts the TCP event-bus bridge when {@code gateway.tcp-bridge-port} names a port. */
  Future<String> deployTcpBridge() {
    int port = config.getInt(NodeKeys.TCP_BRIDGE_PORT);
    if (port == 0) {
      return Future.succeededFuture("");
    }
    return node.vertx().deployVerticle(new TcpBridgeVerticle(
      v -> new BridgeGuard(gateway.keys(), v, config.getInt(NodeKeys.WS_MAX_SUBSCRIPTIONS)),
      config.getString(NodeKeys.HTTP_HOST), port));
  }

  /** Stops taking HTTP requests (the node is leaving). */
  Future<Void> undeploy() {
    return api == null ? Future.succeededFuture() : api.undeploy();
  }

  int port() {
    return api.port();
  }

  List<Scope> scopes() {
    return scopes;
  }

  SortedSet<String> routes() {
    return api.routes();
  }
}
