package io.netflow.node;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Set;
import java.util.UUID;

/** The one place a node builds its clustered {@link Vertx}: the cluster manager, the metrics, the event bus's address. */
final class NodeVertx {

  private NodeVertx() {
  }

  /** A clustered Vert.x on {@code clusterManager}, metered into {@code registry} (JVM meters included). */
  static Future<Vertx> build(NodeConfig config, HazelcastClusterManager clusterManager, PrometheusMeterRegistry registry) {
    VertxOptions options = new VertxOptions()
      // vertx-micrometer keeps registries by name in a JVM-wide map: one name per node.
      .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setRegistryName("netflow-" + UUID.randomUUID())
        // The HTTP API keeps its own request meter (HttpMetrics), bound once per route and status.
        .setDisabledMetricsCategories(Set.of(MetricsDomain.HTTP_SERVER.toCategory())));
    // The first warning of a blocked event loop (at 2 s) carries the stack of what blocks it, not only
    // a warning past 5 s (Vert.x's default): an operator, and a failing test, sees where.
    options.setWarningExceptionTime(options.getMaxEventLoopExecuteTime())
      .setWarningExceptionTimeUnit(options.getMaxEventLoopExecuteTimeUnit());
    bindJvmMeters(registry);
    options.getEventBusOptions().setHost(config.getString(NodeKeys.CLUSTER_HOST)).setPort(0);
    return Vertx.builder()
      .with(options)
      .withClusterManager(clusterManager)
      .withMetrics(new MicrometerMetricsFactory(registry))
      .buildClustered();
  }

  /** JVM meters, bound here rather than by vertx-micrometer, which binds them once per JVM. */
  private static void bindJvmMeters(PrometheusMeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }
}
