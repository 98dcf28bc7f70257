package io.netflow.node;

import com.hazelcast.config.Config;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.EnvelopeCodec;
import io.netflow.gateway.protocol.IngressBatch;
import io.netflow.gateway.protocol.Role;
import io.netflow.lanes.LaneOptions;
import io.netflow.membership.ClusterMembership;
import io.netflow.membership.MembershipAddresses;
import io.netflow.membership.MembershipOptions;
import io.netflow.membership.MembershipVerticle;
import io.netflow.membership.MeshLoad;
import io.netflow.membership.MeshView;
import io.netflow.membership.NodeDescriptor;
import io.netflow.membership.impl.HazelcastMembership;
import io.netflow.membership.impl.StrandedMemberWatch;
import io.netflow.mesh.Mesh;
import io.netflow.mesh.MeshOptions;
import io.netflow.mesh.MeshVerticle;
import io.netflow.models.DeviceDelivery;
import io.netflow.models.ModelOptions;
import io.netflow.models.ModelStore;
import io.netflow.models.ModelVerticle;
import io.netflow.node.config.ConfigException;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import io.netflow.rewards.RewardOptions;
import io.netflow.rewards.RewardsVerticle;
import io.netflow.rewards.impl.Journal;
import io.netflow.rewards.impl.Ledger;
import io.netflow.rewards.impl.Schedule;
import io.netflow.routing.RoutingOptions;
import io.netflow.scheduling.Scheduler;
import io.netflow.scheduling.SchedulerOptions;
import io.netflow.scheduling.SchedulerVerticle;
import io.netflow.scheduling.impl.Deliver;
import io.netflow.scheduling.impl.WorkJournal;
import io.netflow.scheduling.impl.WorkRequests;
import io.netflow.scheduling.impl.WorkStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.healthchecks.Status;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NetFlow node: builds its clustered {@link Vertx} ({@link NodeVertx}, the only place that does),
 * opens the cluster maps the engine keeps its state in, creates and deploys the node's verticles,
 * each with its own slice of config, and its HTTP server and bridges ({@link NodeHttp}).
 *
 * <p>{@link #start()} joins the mesh and deploys everything; {@link #stop()} drains (peers see
 * DRAINING and route around the node), closes the servers and leaves.
 */
public final class NetflowNode {

  private static final Logger LOG = LoggerFactory.getLogger(NetflowNode.class);
  /** How fast the remembered peak of gameplay load fades (the scheduler's "busy" is relative to it). */
  private static final long MESH_LOAD_PEAK_HALF_LIFE_MS = 10 * 60_000;
  /** How often the console's live feed sends a snapshot. */
  private static final long CONSOLE_INTERVAL_MS = 500;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(2_000);

  private final NodeConfig config;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Vertx vertx;
  private HazelcastClusterManager clusterManager;
  private ClusterMembership membership;
  private StrandedMemberWatch strandedWatch;
  private MeshView view;
  private MeshVerticle mesh;
  private ModelVerticle models;
  private DeviceDelivery devices;
  private ModelOptions modelOptions;
  private MeshLoad meshLoad;
  private SchedulerVerticle scheduler;
  private RewardsVerticle rewards;
  private RewardOptions rewardOptions;
  private NodeDescriptor descriptor;
  private String name;
  private Path dataDir;
  private NodeHttp http;
  private String membershipDeployment;
  private volatile boolean ready;
  private volatile boolean stopping;
  private volatile boolean draining;
  private Future<Void> stopped;

  public NetflowNode(NodeConfig config) {
    this.config = config;
  }

  /** Joins the mesh and deploys the node's verticles; completes when the node is ready. */
  public Future<NetflowNode> start() {
    Config hazelcast;
    try {
      hazelcast = ClusterConfigFactory.create(config);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    clusterManager = new HazelcastClusterManager(hazelcast);
    return NodeVertx.build(config, clusterManager, registry)
      .compose(v -> {
        vertx = v;
        membership = new HazelcastMembership(vertx, clusterManager);
        strandedWatch = StrandedMemberWatch.start(vertx, clusterManager.getHazelcastInstance(), registry,
          config.getInt(NodeKeys.CLUSTER_HEARTBEAT) * 1000L);
        vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeCodec());
        IngressBatch.registerCodecs(vertx.eventBus());
        vertx.eventBus().localConsumer(MembershipAddresses.NODE_DRAINING, m -> draining = true);
        name = nodeName();
        view = new MeshView(clusterManager.getNodeId(), config.getLong(NodeKeys.STALE_AFTER));
        return vertx.executeBlocking(this::createDataDir);
      })
      // Cluster maps are opened off the event loop: the first getMap of a map waits for the cluster.
      .compose(dir -> vertx.executeBlocking(this::openStores, false))
      .compose(stores -> {
        createMesh();
        createModels();
        createScheduling(stores);
        try {
          createRewards(stores);
        } catch (ConfigException e) {
          return Future.failedFuture(e);
        }
        http = new NodeHttp(this, config);
        return http.deploy();
      })
      .compose(port -> vertx.deployVerticle(mesh))
      .compose(id -> mesh.host(Mesh.PING, e -> Future.succeededFuture(io.vertx.core.buffer.Buffer.buffer(name))))
      .compose(id -> deployMembership())
      .compose(id -> vertx.deployVerticle(models))
      .compose(id -> vertx.deployVerticle(devices))
      .compose(id -> vertx.deployVerticle(scheduler))
      .compose(id -> vertx.deployVerticle(rewards))
      .compose(id -> http.deployTcpBridge())
      .map(v -> {
        ready = true;
        return this;
      })
      .onFailure(err -> {
        if (vertx != null) {
          vertx.close();
        }
      });
  }

  private void createModels() {
    modelOptions = NodeOptions.models(config);
    ModelStore store = new ModelStore(dataDir.resolve("models"));
    models = new ModelVerticle(modelOptions, store, mesh, view, config.getString(NodeKeys.NODE_REGION), mesh.laneStats(),
      registry, name);
    devices = new DeviceDelivery(NodeOptions.devices(config), modelOptions, store, view,
      config.getString(NodeKeys.NODE_REGION), clusterManager.getHazelcastInstance(), mesh.laneStats(), registry);
  }

  /** The cluster maps the engine keeps its state in, opened (blocking) once at start. */
  private record Stores(WorkStore work, WorkJournal workJournal, Ledger ledger, Schedule schedule) {
  }

  private Stores openStores() {
    var hazelcast = clusterManager.getHazelcastInstance();
    rewardOptions = NodeOptions.rewards(config);
    long historyTtl = rewardOptions.getPeriodMs() * rewardOptions.getHistoryPeriods() + rewardOptions.getPeriodMs();
    return new Stores(new WorkStore(hazelcast), new WorkJournal(dataDir.resolve("work").resolve("journal.jsonl")),
      new Ledger(hazelcast, new Journal(dataDir.resolve("rewards").resolve("ledger.jsonl"))),
      new Schedule(hazelcast, historyTtl, rewardOptions.getWindowMs()));
  }

  private void createScheduling(Stores stores) {
    SchedulerOptions options = NodeOptions.scheduling(config);
    var self = new SchedulerVerticle.Self(clusterManager.getNodeId(), name,
      Role.parse(config.getString(NodeKeys.NODE_ROLE)), config.getString(NodeKeys.NODE_REGION));
    scheduler = new SchedulerVerticle(options, stores.work(), stores.workJournal(), self, view,
      meshLoad, mesh.laneStats(), models::activeVersion, () -> mesh.trafficLoad().utilisation(), registry);
    scheduler.handle(WorkRequests.DELIVER, Deliver.handler(mesh));
  }

  private void createRewards(Stores stores) throws ConfigException {
    if (rewardOptions.getMaxMultiplier() < rewardOptions.getMinMultiplier()) {
      throw new ConfigException("rewards.max-multiplier (" + rewardOptions.getMaxMultiplier()
        + ") must be at least rewards.min-multiplier (" + rewardOptions.getMinMultiplier() + ")");
    }
    rewards = new RewardsVerticle(rewardOptions, stores.ledger(), stores.schedule(), meshLoad, view,
      clusterManager.getNodeId(), registry);
  }

  private void createMesh() {
    MeshOptions meshOptions = NodeOptions.mesh(config);
    RoutingOptions routing = NodeOptions.routing(config);
    LaneOptions lanes = NodeOptions.lanes(config);
    mesh = new MeshVerticle(meshOptions, routing, lanes, view, config.getString(NodeKeys.NODE_REGION), membership,
      registry, Runtime.getRuntime().availableProcessors(), io.vertx.core.VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
    meshLoad = new MeshLoad(view, MESH_LOAD_PEAK_HALF_LIFE_MS);
  }

  private Future<String> deployMembership() {
    String host = config.getString(NodeKeys.HTTP_HOST);
    String advertised = host.equals("0.0.0.0") ? config.getString(NodeKeys.CLUSTER_HOST) : host;
    descriptor = new NodeDescriptor(clusterManager.getNodeId(), name,
      Role.parse(config.getString(NodeKeys.NODE_ROLE)), config.getString(NodeKeys.NODE_REGION),
      config.getDouble(NodeKeys.NODE_CAPACITY),
      (config.getString(NodeKeys.TLS_CERT).isEmpty() ? "http://" : "https://") + advertised + ":" + http.port(),
      config.getLong(NodeKeys.NODE_UPLOAD), config.getLong(NodeKeys.NODE_DOWNLOAD), System.currentTimeMillis());
    MembershipOptions options = new MembershipOptions()
      .setReportIntervalMs(config.getLong(NodeKeys.REPORT_INTERVAL))
      .setStaleAfterMs(config.getLong(NodeKeys.STALE_AFTER));
    return vertx.deployVerticle(new MembershipVerticle(options, descriptor, membership, view, registry,
        () -> mesh.trafficLoad().withDevices(devices.egress().allowed(), devices.egress().recentRate())))
      .onSuccess(id -> membershipDeployment = id);
  }

  private String nodeName() {
    String configured = config.getString(NodeKeys.NODE_NAME);
    if (!configured.isEmpty()) {
      return configured;
    }
    var address = clusterManager.getHazelcastInstance().getCluster().getLocalMember().getAddress();
    return address.getHost() + "-" + address.getPort();
  }

  private Path createDataDir() throws java.io.IOException {
    dataDir = Path.of(config.getString(NodeKeys.NODE_DATA_DIR)).resolve(name).toAbsolutePath();
    return Files.createDirectories(dataDir);
  }

  /**
   * Leaves the mesh gracefully: shows DRAINING to peers for {@code shutdown.drain-ms}, closes the
   * servers, then leaves the cluster. Safe to call more than once.
   */
  public synchronized Future<Void> stop() {
    if (stopped != null) {
      return stopped;
    }
    if (vertx == null) {
      return stopped = Future.succeededFuture();
    }
    stopping = true;
    if (strandedWatch != null) {
      strandedWatch.close();
    }
    long drainMs = config.getLong(NodeKeys.DRAIN_MS);
    LOG.info("Node {} leaving: draining for {} ms", name, drainMs);
    // Completed straight from close(): a future bound to an event loop could not be, as close
    // terminates the loops before it completes.
    Promise<Void> closed = Promise.promise();
    vertx.eventBus().request(MembershipAddresses.NODE_DRAIN, null, LOCAL).<Void>mapEmpty()
      .otherwiseEmpty()
      .compose(v -> sleep(drainMs))
      .compose(v -> http == null ? Future.<Void>succeededFuture() : http.undeploy())
      .otherwiseEmpty()
      .onComplete(v -> vertx.close().onComplete(ar -> {
        LOG.info("Node {} left the mesh", name);
        closed.handle(ar);
      }));
    stopped = closed.future();
    return stopped;
  }

  private Future<Void> sleep(long ms) {
    if (ms <= 0) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete());
    return p.future();
  }

  /** The one line an operator sees when the node is up. */
  public String banner() {
    return String.format("NetFlow node %s up: id %s, role %s, region %s, cluster '%s' of %d, HTTP %s",
      name, descriptor.nodeId(), descriptor.role().id(), descriptor.region(),
      config.getString(NodeKeys.CLUSTER_NAME), clusterSize(), descriptor.httpUrl());
  }

  public Vertx vertx() {
    return vertx;
  }

  public String nodeId() {
    return descriptor.nodeId();
  }

  public String name() {
    return name;
  }

  public int httpPort() {
    return http.port();
  }

  public String httpUrl() {
    return descriptor.httpUrl();
  }

  public Path dataDir() {
    return dataDir;
  }

  public int clusterSize() {
    return membership.size();
  }

  /** The data plane: send to services, publish to topics, host services, subscribe. */
  public Mesh mesh() {
    return mesh;
  }

  /** The data plane's links to other nodes and the event loops (shards) they run on. */
  public io.netflow.mesh.impl.LinkShards links() {
    return mesh.links();
  }

  /** The mesh's gameplay load, as this node measures it from the reports. */
  public MeshLoad meshLoad() {
    return meshLoad;
  }

  /** Deferred work: submit, read, cancel, and run kinds on this node. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /** Smart rewards: schedule, contributions and the ledger. */
  public RewardsVerticle rewards() {
    return rewards;
  }

  /** The data plane's node-wide lane figures. */
  public io.netflow.lanes.LaneStats laneStats() {
    return mesh.laneStats();
  }

  /** Which nodes subscribe to which topics, as this node knows it. */
  public io.netflow.mesh.impl.TopicInterest topicInterest() {
    return mesh.topicInterest();
  }

  /** This node's view of the mesh. */
  public MeshView view() {
    return view;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The API-key scopes this node's parts check. */
  public List<io.netflow.gateway.auth.Scope> scopes() {
    return http.scopes();
  }

  /** Every HTTP route the node serves, {@code "METHOD /path"}. */
  public java.util.SortedSet<String> httpRoutes() {
    return http.routes();
  }

  /** Whether the node is ready for traffic: joined, every part up, not draining or stopping. */
  io.vertx.ext.healthchecks.Status readiness() {
    return ready && !stopping && !draining ? Status.OK()
      : Status.KO(new io.vertx.core.json.JsonObject().put("reason", ready ? "draining" : "starting"));
  }

  boolean clusterActive() {
    return clusterManager.isActive();
  }

  ModelVerticle models() {
    return models;
  }

  DeviceDelivery devices() {
    return devices;
  }

  SchedulerVerticle schedulerVerticle() {
    return scheduler;
  }

  ModelOptions modelOptions() {
    return modelOptions;
  }

  RewardOptions rewardOptions() {
    return rewardOptions;
  }

  /** The console's interval between snapshots. */
  static long consoleIntervalMs() {
    return CONSOLE_INTERVAL_MS;
  }

  /** The deployment id of the membership verticle (tests undeploy it to silence a live member). */
  String membershipDeployment() {
    return membershipDeployment;
  }
}
