package io.netflow.mesh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.IngressBatch;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Priority;
import io.netflow.lanes.LaneOptions;
import io.netflow.lanes.LaneStats;
import io.netflow.lanes.Link;
import io.netflow.load.TrafficLoad;
import io.netflow.membership.ClusterMembership;
import io.netflow.membership.MembershipAddresses;
import io.netflow.membership.MeshView;
import io.netflow.mesh.impl.BusIngress;
import io.netflow.mesh.impl.Fence;
import io.netflow.mesh.impl.FrameReceiver;
import io.netflow.mesh.impl.FrameSender;
import io.netflow.mesh.impl.Inbox;
import io.netflow.mesh.impl.LinkAnswers;
import io.netflow.mesh.impl.LinkFrame;
import io.netflow.mesh.impl.LinkShards;
import io.netflow.mesh.impl.PeerProbe;
import io.netflow.mesh.impl.PubSub;
import io.netflow.mesh.impl.Requests;
import io.netflow.mesh.impl.TopicInterest;
import io.netflow.routing.Router;
import io.netflow.routing.RoutingOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane of a node: routes requests to services and publications to subscribers through
 * per-destination lanes, and serves what peers route here. It runs on {@code mesh.shards} event
 * loops, this verticle's own first. Each shard routes the requests that reach it (from a caller on
 * its loop, or in turn) with a router of its own, as each of Envoy's workers balances on its own;
 * each destination's link runs on one of them ({@link LinkShards}). Admission, the inbox and the
 * publication fan-out (so that publications keep their order) stay on the first. A link that hears
 * nothing from its node while requests are on the wire has the node checked ({@link PeerProbe}); one
 * whose process is gone is routed around at once, before the cluster's failure detector removes it.
 * The {@link Mesh} methods may be called from any thread.
 */
public class MeshVerticle extends VerticleBase implements Mesh {

  private static final Logger LOG = LoggerFactory.getLogger(MeshVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /**
   * On a recall, the fence it puts ({@link Fence}): a closed one under {@code netflow-fence} (its
   * end, epoch ms), which nodes have read since fences began; an open one under
   * {@code netflow-open-fence} with its pass, which a node that does not know open fences ignores
   * rather than refuse the copy it lets through.
   */
  private static final String FENCE_HEADER = "netflow-fence";
  private static final String OPEN_FENCE_HEADER = "netflow-open-fence";
  private static final String PASS_HEADER = "netflow-pass";

  private final MeshOptions options;
  private final RoutingOptions routingOptions;
  private final LaneOptions laneOptions;
  private final MeshView view;
  private final MeterRegistry registry;
  private final String region;
  private final ClusterMembership cluster;
  private final int cores;
  private final int eventLoops;
  private LinkShards links;
  /** The wire under each shard's links: one frame per destination per turn. */
  private List<FrameSender> wires;
  private String selfId;
  /** Where requests are routed: one per event loop of the data plane, the first this verticle's own. */
  private List<Shard> shards;
  private final AtomicInteger nextShard = new AtomicInteger();
  private final LaneStats laneStats;
  private Inbox inbox;
  private PubSub pubSub;
  private PeerProbe probe;
  private Counter unreachable;

  /** One routing shard: its loop, and the router and requests it alone uses (as Envoy's workers each balance on their own). */
  private record Shard(Context loop, Router router, Requests requests) {
  }

  /**
   * @param region this node's region: requests prefer hosts in it (see {@link Router})
   * @param cores      the machine's cores: the shard count when {@code mesh.shards} is 0
   * @param eventLoops the Vert.x event loops: the most shards that each get a thread of their own
   */
  public MeshVerticle(MeshOptions options, RoutingOptions routingOptions, LaneOptions laneOptions, MeshView view,
                      String region, ClusterMembership cluster, MeterRegistry registry, int cores, int eventLoops) {
    this.cores = cores;
    this.eventLoops = eventLoops;
    this.region = region;
    this.cluster = cluster;
    this.options = options;
    this.routingOptions = routingOptions;
    this.laneOptions = laneOptions;
    this.view = view;
    this.registry = registry;
    this.laneStats = new LaneStats(laneOptions);
  }

  @Override
  public Future<?> start() {
    selfId = view.selfId();
    int asked = options.shardsOn(cores);
    int count = Math.min(asked, eventLoops);
    if (count < asked) {
      LOG.warn("mesh.shards {} is more than this node's {} event loops; the data plane runs on {}", asked, eventLoops, count);
    }
    probe = new PeerProbe(vertx, cluster::eventBusAddress, (int) Math.min(options.getAttemptTimeoutMs(), 5_000));
    unreachable = Counter.builder("netflow.mesh.unreachable")
      .description("Peers found refusing connections (their process gone) and routed around before the cluster removed them")
      .register(registry);
    registerCodec(LinkFrame.class, new LinkFrame.Codec());
    registerCodec(LinkAnswers.class, new LinkAnswers.Codec());
    return LinkShards.start(vertx, context, count,
        (node, shard) -> {
          probe.learn(node);
          return new Link(node, name(node), laneOptions, laneStats, wires.get(shard), vertx, registry,
            new Link.Silence(options.getSuspectAfterMs(), () -> suspect(node)));
        },
        node -> cluster.isMember(node) && !view.isUnreachable(node))
      .compose(shardsUp -> {
        links = shardsUp;
        List<FrameSender> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          made.add(new FrameSender(vertx, links.loop(i)));
        }
        wires = List.copyOf(made);
        for (int i = 0; i < count; i++) {
          int shard = i;
          Gauge.builder("netflow.mesh.shard.links", links, l -> l.linksOn(shard)).tag("shard", String.valueOf(shard))
            .description("Links to other nodes owned by each event loop of the data plane (mesh.shards)").register(registry);
        }
        LOG.info("Data plane on {} event loop{}: routing and links on each, admission and the inbox on the first",
          count, count == 1 ? "" : "s");
        return startShards();
      });
  }

  private Future<?> startShards() {
    inbox = new Inbox(vertx, options, registry);
    List<Shard> made = new ArrayList<>();
    for (int i = 0; i < links.count(); i++) {
      Router router = new Router(view, routingOptions, region);
      made.add(new Shard(links.loop(i), router, new Requests(vertx, options, router, this::transport, this::recall,
        this::name, registry)));
    }
    shards = List.copyOf(made);
    FunctionCounter.builder("netflow.routing.picks", shards, s -> s.stream().mapToLong(x -> x.router().inRegion()).sum())
      .tag("region", "in")
      .description("Requests (attempts) this node sent to a host in its region, or in another").register(registry);
    FunctionCounter.builder("netflow.routing.picks", shards, s -> s.stream().mapToLong(x -> x.router().outOfRegion()).sum())
      .tag("region", "out")
      .description("Requests (attempts) this node sent to a host in its region, or in another").register(registry);
    view.onRemoved(this::nodeLeft);
    vertx.eventBus().localConsumer(MembershipAddresses.NODE_DRAINING, m -> inbox.drain());
    pubSub = new PubSub(vertx, selfId, options, cluster, inbox, links, registry);
    vertx.setPeriodic(1_000, id -> inbox.expire(System.currentTimeMillis()));
    FrameReceiver frames = new FrameReceiver(context, inbox);
    MessageConsumer<LinkFrame> framesConsumer = vertx.eventBus().consumer(MeshAddresses.frames(selfId), frames::onFrame);
    MessageConsumer<Envelope> inboxConsumer = vertx.eventBus().consumer(MeshAddresses.inbox(selfId), frames::onEnvelope);
    MessageConsumer<String> recallConsumer = vertx.eventBus().consumer(MeshAddresses.recall(selfId), m -> inbox.recall(m.body(),
        fence(m.headers()))
      .onSuccess(m::reply).onFailure(err -> {
        MeshException e = MeshException.of(err);
        e.failOn(m);
      }));
    BusIngress ingress = new BusIngress(this);
    // One cluster-wide registration per node (each registration takes its share of the cluster's
    // bus traffic), and publications on one loop so that they keep their order.
    MessageConsumer<Object> requests = vertx.eventBus().consumer(Addresses.INGRESS, ingress::onRequest);
    MessageConsumer<Object> publications = vertx.eventBus().consumer(Addresses.PUBLISH, ingress::onPublish);
    List<Future<?>> ready = new ArrayList<>(List.of(framesConsumer.completion(), inboxConsumer.completion(),
      recallConsumer.completion(),
      requests.completion(), publications.completion()));
    // The gateway's batches go to every shard in turn (the bus takes local consumers round robin),
    // and each shard routes its batch where it runs.
    for (Shard shard : shards) {
      ready.add(Contexts.on(shard.loop(), () -> vertx.eventBus().<IngressBatch>localConsumer(Addresses.INGRESS_BATCH,
        ingress::onBatch).completion()));
    }

    return Future.all(ready).compose(v -> pubSub.start());
  }

  /**
   * How a shard's requests reach a node: this node's inbox (on the first loop; from another shard,
   * handed over in batches), or the link to a peer.
   */
  private Future<Buffer> transport(String node, Envelope e) {
    return node.equals(selfId) ? links.on(0, () -> inbox.handle(e))
      : links.send(node, e, options.getAttemptTimeoutMs());
  }

  @Override
  public Future<?> stop() {
    if (pubSub != null) {
      pubSub.stop();
    }
    return probe == null ? Future.succeededFuture() : probe.close();
  }

  /** What this node's data plane reports of itself; safe from any thread. */
  public TrafficLoad trafficLoad() {
    if (inbox == null) {
      return TrafficLoad.NONE;
    }
    JsonObject lanes = laneStats.toJson();
    for (Priority p : Priority.values()) {
      lanes.getJsonObject(p.name()).put("served", inbox.served(p));
    }
    return new TrafficLoad(inbox.services(), pubSub.topicCount(), inbox.inFlight(), inbox.limit(), inbox.overloaded(), lanes,
      links.sentBytes());
  }

  /** Node-wide lane figures. */
  public LaneStats laneStats() {
    return laneStats;
  }

  @Override
  public Future<Reply> request(Envelope envelope) {
    return route(envelope, Requests::request);
  }

  @Override
  public Future<Reply> resend(Envelope envelope) {
    return route(envelope, Requests::resend);
  }

  @Override
  public Future<String> accept(Envelope envelope) {
    if (envelope.priority().atLeastOnce()) {
      return request(envelope).map(Reply::nodeId);
    }
    return route(envelope, Requests::accept);
  }

  /**
   * Checks a request and routes it on a shard: the caller's own loop when it is one (no hop),
   * else the next shard in turn. An invalid one fails with its code.
   */
  private <T> Future<T> route(Envelope envelope, BiFunction<Requests, Envelope, Future<T>> how) {
    Shard shard = shardHere();
    Supplier<Future<T>> routed = () -> {
      try {
        return how.apply(shard.requests(), validRequest(envelope));
      } catch (MeshException invalid) {
        return Future.failedFuture(invalid);
      }
    };
    // On the shard's own thread it routes at once (its state is confined to that thread, not to one
    // context of it); from elsewhere it hops there and the answer comes back to the caller's loop.
    return links.shardOfThisThread() >= 0 ? routed.get() : Contexts.on(shard.loop(), routed);
  }

  /**
   * The shard to route on: the one whose loop runs this thread (whatever context of it calls, as a
   * bus consumer's duplicate of the shard's own does), else the next in turn.
   */
  private Shard shardHere() {
    int mine = links.shardOfThisThread();
    return shards.get(mine >= 0 ? mine : Math.floorMod(nextShard.getAndIncrement(), shards.size()));
  }

  private Envelope validRequest(Envelope envelope) {
    Envelope e = envelope.validate(options.getMaxPayloadBytes(), System.currentTimeMillis()).withOrigin(selfId);
    if (!e.isRequest()) {
      throw new MeshException(ErrorCode.NO_TARGET, "a request names a service, not a topic");
    }
    return e;
  }

  @Override
  public Future<Reply> requestTo(String nodeId, Envelope envelope) {
    return onContext(() -> {
      Envelope e;
      try {
        e = envelope.validate(options.getMaxPayloadBytes(), System.currentTimeMillis()).withOrigin(selfId);
      } catch (MeshException invalid) {
        return Future.failedFuture(invalid);
      }
      Future<Buffer> answer = nodeId.equals(selfId)
        ? inbox.handle(e)
        : links.send(nodeId, e, options.getAttemptTimeoutMs());
      return answer.map(body -> new Reply(body, nodeId, 1));
    });
  }

  @Override
  public Future<Integer> publish(Envelope envelope) {
    return onContext(() -> {
      Envelope e;
      try {
        e = envelope.validate(options.getMaxPayloadBytes(), System.currentTimeMillis()).withOrigin(selfId);
        if (e.isRequest()) {
          throw new MeshException(ErrorCode.NO_TARGET, "a publication names a topic, not a service");
        }
      } catch (MeshException invalid) {
        return Future.failedFuture(invalid);
      }
      return pubSub.publish(e);
    });
  }

  @Override
  public Future<Registration> host(String service, ServiceHandler handler) {
    return onContext(() -> {
      if (!Envelope.NAME.matcher(service).matches()) {
        return Future.failedFuture(new MeshException(ErrorCode.MALFORMED, "bad service name '" + service + "'"));
      }
      if (inbox.services().size() >= TrafficLoad.MAX_NAMES) {
        // Peers learn hosted services from the load report, which lists this many at most.
        return Future.failedFuture(new MeshException(ErrorCode.LIMIT_REACHED, "this node hosts "
          + TrafficLoad.MAX_NAMES + " services, the most a load report lists"));
      }
      try {
        inbox.host(service, handler);
      } catch (MeshException taken) {
        return Future.failedFuture(taken);
      }
      LOG.info("Hosting service '{}'", service);
      reportNow();
      return Future.succeededFuture(() -> onContext(() -> {
        inbox.unhost(service);
        reportNow();
        return Future.<Void>succeededFuture();
      }));
    });
  }

  @Override
  public Future<Registration> subscribe(String topic, Handler<Envelope> handler) {
    return onContext(() -> pubSub.subscribe(topic, handler).map(r -> () -> onContext(r::close)));
  }

  /** Which nodes subscribe to which topics, as this node knows it (thread-safe reads). */
  public TopicInterest topicInterest() {
    return pubSub.interest();
  }

  private void reportNow() {
    vertx.eventBus().send(MembershipAddresses.NODE_REPORT_NOW, null, LOCAL);
  }

  /** The node's links and the event loops they run on. */
  public LinkShards links() {
    return links;
  }

  /** The answer a node remembers for a request id (this node's inbox, or a peer's over the event bus). */
  private Future<Buffer> recall(String node, String id, long timeoutMs, Fence fence) {
    if (node.equals(selfId)) {
      return links.on(0, () -> inbox.recall(id, fence));
    }
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(Math.max(1, timeoutMs));
    if (fence != null && fence.isOpen()) {
      options.addHeader(OPEN_FENCE_HEADER, Long.toString(fence.untilMillis())).addHeader(PASS_HEADER, fence.pass());
    } else if (fence != null) {
      options.addHeader(FENCE_HEADER, Long.toString(fence.untilMillis()));
    }
    return vertx.eventBus().<Buffer>request(MeshAddresses.recall(node), id, options).map(Message::body);
  }

  /** A recall's fence from its headers; none when absent, or when its end is not a number. */
  private static Fence fence(MultiMap headers) {
    try {
      if (headers.get(FENCE_HEADER) != null) {
        return Fence.closed(Long.parseLong(headers.get(FENCE_HEADER)));
      }
      String pass = headers.get(PASS_HEADER);
      return headers.get(OPEN_FENCE_HEADER) == null || pass == null ? null
        : new Fence(Long.parseLong(headers.get(OPEN_FENCE_HEADER)), pass);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private <T> void registerCodec(Class<T> type, io.vertx.core.eventbus.MessageCodec<T, T> codec) {
    try {
      vertx.eventBus().registerDefaultCodec(type, codec);
    } catch (IllegalStateException alreadyRegistered) {
      // a data plane deployed on this Vert.x before registered it
    }
  }

  private void nodeLeft(String node) {
    for (Shard s : shards) {
      s.loop().runOnContext(v -> {
        s.router().forget(node);
        s.requests().nodeLeft(node);
      });
    }
    links.remove(node, new MeshException(ErrorCode.NO_HANDLERS, "node " + node + " left the mesh"));
    probe.forget(node);
  }

  /**
   * A link to {@code node} hears nothing while requests wait on it: if the node's event bus refuses
   * connections, its process is gone. It then counts as stale in this node's view until it reports
   * again or the cluster removes it, and its link fails what it holds so that callers reroute now.
   */
  private void suspect(String node) {
    probe.refuses(node).onSuccess(refused -> {
      if (!refused) {
        return;
      }
      if (view.markUnreachable(node)) {
        unreachable.increment();
        LOG.warn("Node {} refuses connections to its event bus (its process is gone): routing around it before the "
          + "cluster removes it", name(node));
      }
      // Also for a node already marked, or not yet in the view (a link made before its first report).
      links.remove(node, new MeshException(ErrorCode.NO_HANDLERS, "node " + name(node) + " refuses connections"));
    });
  }

  private String name(String nodeId) {
    MeshView.Entry e = view.get(nodeId);
    return e == null ? nodeId : e.report().node().name();
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    return Contexts.on(context, action);
  }
}
