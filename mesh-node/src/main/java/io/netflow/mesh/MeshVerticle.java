package io.netflow.mesh;

import io.micrometer.core.instrument.Counter;
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
import io.netflow.mesh.impl.Inbox;
import io.netflow.mesh.impl.PubSub;
import io.netflow.mesh.impl.TopicInterest;
import io.netflow.routing.Router;
import io.netflow.routing.RoutingOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane of a node: routes requests to services and publications to subscribers through
 * per-destination lanes, and serves what peers route here. Everything runs on this verticle's
 * event loop; the {@link Mesh} methods hop onto it from any thread.
 */
public class MeshVerticle extends VerticleBase implements Mesh {

  private static final Logger LOG = LoggerFactory.getLogger(MeshVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** Rounds over every host when all of them say OVERLOADED. */
  private static final int MAX_ROUNDS = 3;
  /** How long past its deadline the backstop waits before it ends a request nothing answered. */
  private static final long DEADLINE_GRACE_MS = 1_000;

  private final MeshOptions options;
  private final RoutingOptions routingOptions;
  private final LaneOptions laneOptions;
  private final MeshView view;
  private final MeterRegistry registry;
  private final ClusterMembership cluster;
  // Read by the load report from another thread, hence concurrent.
  private final Map<String, Link> links = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Long> lastRerouteLog = new HashMap<>();
  private final Map<String, Map<ErrorCode, Counter>> reroutes = new HashMap<>();
  private String selfId;
  private Router router;
  private final LaneStats laneStats;
  private Inbox inbox;
  private PubSub pubSub;
  private Counter noRoute;
  private Counter expired;

  public MeshVerticle(MeshOptions options, RoutingOptions routingOptions, LaneOptions laneOptions, MeshView view,
                      ClusterMembership cluster, MeterRegistry registry) {
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
    router = new Router(view, routingOptions);
    inbox = new Inbox(vertx, options, registry);
    noRoute = Counter.builder("netflow.routing.unroutable").description("Requests no node could take")
      .register(registry);
    expired = Counter.builder("netflow.routing.expired")
      .description("Requests still unanswered past their deadline, ended DEADLINE_EXCEEDED by the backstop (a bug if not 0)")
      .register(registry);
    view.onRemoved(nodeId -> context.runOnContext(v -> nodeLeft(nodeId)));
    vertx.eventBus().localConsumer(MembershipAddresses.NODE_DRAINING, m -> inbox.drain());
    pubSub = new PubSub(vertx, selfId, options, cluster, inbox, this::link, registry);
    vertx.setPeriodic(1_000, id -> inbox.expire(System.currentTimeMillis()));
    MessageConsumer<Envelope> inboxConsumer = vertx.eventBus().consumer(MeshAddresses.inbox(selfId), inbox::onMessage);
    BusIngress ingress = new BusIngress(this);
    MessageConsumer<Object> requests = vertx.eventBus().consumer(Addresses.INGRESS, ingress::onRequest);
    MessageConsumer<Object> publications = vertx.eventBus().consumer(Addresses.PUBLISH, ingress::onPublish);
    MessageConsumer<IngressBatch> batches = vertx.eventBus().localConsumer(Addresses.INGRESS_BATCH, ingress::onBatch);
    return Future.all(inboxConsumer.completion(), requests.completion(), publications.completion(), batches.completion())
      .compose(v -> pubSub.start());
  }

  @Override
  public Future<?> stop() {
    if (pubSub != null) {
      pubSub.stop();
    }
    return Future.succeededFuture();
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
    JsonObject links = new JsonObject();
    this.links.forEach((node, link) -> links.put(node, link.sentBytes()));
    return new TrafficLoad(inbox.services(), pubSub.topicCount(), inbox.inFlight(), inbox.limit(), inbox.overloaded(), lanes,
      links);
  }

  /** Node-wide lane figures. */
  public LaneStats laneStats() {
    return laneStats;
  }

  @Override
  public Future<Reply> request(Envelope envelope) {
    return start(envelope, false, a -> a.promise.future());
  }

  @Override
  public Future<String> accept(Envelope envelope) {
    if (envelope.priority().atLeastOnce()) {
      return request(envelope).map(Reply::nodeId);
    }
    return start(envelope, true, a -> a.accepted.future());
  }

  /** Checks a request and sets it on its way, on this verticle's event loop; answers with {@code outcome} of it. */
  private <T> Future<T> start(Envelope envelope, boolean acceptEarly, Function<Attempts, Future<T>> outcome) {
    return onContext(() -> {
      Attempts a;
      try {
        a = new Attempts(validRequest(envelope), acceptEarly);
      } catch (MeshException invalid) {
        return Future.failedFuture(invalid);
      }
      route(a);
      if (!a.promise.future().isComplete()) {
        backstop(a);
      }
      return outcome.apply(a);
    });
  }

  /**
   * Ends a request that is somehow still unanswered a little past its deadline (every attempt is
   * bounded by it, so this firing means a bug): answered DEADLINE_EXCEEDED, counted and logged, so
   * no caller ever waits for ever.
   */
  private void backstop(Attempts a) {
    long ms = Math.max(1, a.envelope.remainingMillis(System.currentTimeMillis())) + DEADLINE_GRACE_MS;
    long timer = vertx.setTimer(ms, t -> {
      if (!a.promise.future().isComplete()) {
        expired.increment();
        LOG.warn("Request {} to '{}' was still unanswered {} ms past its deadline; ended DEADLINE_EXCEEDED",
          a.envelope.id(), a.envelope.service(), DEADLINE_GRACE_MS);
        fail(a, new MeshException(ErrorCode.DEADLINE_EXCEEDED, "no answer by the deadline"));
      }
    });
    a.promise.future().onComplete(ar -> vertx.cancelTimer(timer));
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
        : link(nodeId).offer(e, options.getAttemptTimeoutMs()).map(Message::body);
      return answer.map(body -> new Reply(body, nodeId, 1));
    });
  }

  /** One request's journey: the nodes tried and the last failure. */
  private static final class Attempts {
    final Envelope envelope;
    final Promise<Reply> promise = Promise.promise();
    /** Completed with the first node that takes the request, for {@link #accept}; else null. */
    final Promise<String> accepted;
    final Set<String> tried = new HashSet<>(4);
    int attempts;
    int rounds;
    MeshException lastFailure;

    Attempts(Envelope envelope, boolean acceptEarly) {
      this.envelope = envelope;
      this.accepted = acceptEarly ? Promise.promise() : null;
    }
  }

  /** Ends a request in failure; one that was already accepted (answered 202) is counted as dropped. */
  private void fail(Attempts a, MeshException failure) {
    if (!a.promise.tryFail(failure)) {
      return;
    }
    if (a.accepted != null && !a.accepted.tryFail(failure)) {
      Counter.builder("netflow.routing.dropped")
        .description("Requests accepted early (the gateway's 202) that no node finally took")
        .tags("priority", a.envelope.priority().name(), "reason", failure.code().name()).register(registry).increment();
      LOG.debug("Dropped accepted request {} to '{}': {}", a.envelope.id(), a.envelope.service(), failure.toString());
    }
  }

  private void route(Attempts a) {
    Envelope e = a.envelope;
    if (e.remainingMillis(System.currentTimeMillis()) <= 0) {
      fail(a, a.lastFailure != null ? a.lastFailure
        : new MeshException(ErrorCode.DEADLINE_EXCEEDED, "deadline passed before a node answered"));
      return;
    }
    String node = router.pick(e, a.tried);
    if (node == null && retryRound(a)) {
      return;
    }
    if (node == null) {
      noRoute.increment();
      fail(a, a.lastFailure != null ? a.lastFailure : router.anyHosts(e.service())
        ? new MeshException(ErrorCode.NO_HANDLERS, "no node can take '" + e.service() + "' now")
        : new MeshException(ErrorCode.NO_SUCH_SERVICE, "no node hosts service '" + e.service() + "'"));
      return;
    }
    a.tried.add(node);
    a.attempts++;
    Router.NodeStats stats = router.stats(node);
    stats.begin();
    long start = System.nanoTime();
    Future<Buffer> answer = node.equals(selfId)
      ? inbox.handle(e)
      : link(node).offer(e, options.getAttemptTimeoutMs()).map(Message::body);
    if (a.accepted != null && !answer.failed()) {
      a.accepted.tryComplete(node);
    }
    answer.onComplete(ar -> {
      long now = System.nanoTime();
      if (ar.succeeded()) {
        stats.end(now - start, true, 0, now);
        a.promise.tryComplete(new Reply(ar.result(), node, a.attempts));
        return;
      }
      MeshException failure = MeshException.of(ar.cause());
      stats.end(now - start, false, penaltyNanos(failure), now);
      if (reroutable(e, failure)) {
        a.lastFailure = failure;
        rerouted(node, failure.code()).increment();
        logReroute(node, failure);
        route(a);
      } else {
        fail(a, failure);
      }
    });
  }

  /**
   * Every host said OVERLOADED: wait as long as they asked (at least 10 ms, doubling each round)
   * and try them all again, at most {@link #MAX_ROUNDS} rounds and never past the deadline.
   */
  private boolean retryRound(Attempts a) {
    if (a.lastFailure == null || a.lastFailure.code() != ErrorCode.OVERLOADED || a.rounds + 1 >= MAX_ROUNDS) {
      return false;
    }
    long backoff = Math.max(a.lastFailure.retryAfterMs(), 10L) << a.rounds;
    if (a.envelope.remainingMillis(System.currentTimeMillis()) <= backoff) {
      return false;
    }
    a.rounds++;
    a.tried.clear();
    vertx.setTimer(backoff, t -> route(a));
    return true;
  }

  /** BULK is answered, never rerouted; the rest go on after failures that say "try elsewhere". */
  private static boolean reroutable(Envelope e, MeshException failure) {
    if (e.priority() == Priority.BULK) {
      return false;
    }
    return switch (failure.code()) {
      case TIMEOUT, NO_HANDLERS, OVERLOADED, DRAINING -> true;
      default -> false;
    };
  }

  /** The reroute counter of a node and reason: tagged by a member's name, removed when it leaves. */
  private Counter rerouted(String node, ErrorCode reason) {
    return reroutes.computeIfAbsent(node, n -> new EnumMap<>(ErrorCode.class)).computeIfAbsent(reason, r ->
      Counter.builder("netflow.routing.rerouted").description("Requests sent on to another node after this one failed")
        .tags("dest", name(node), "reason", r.name()).register(registry));
  }

  /** A failed node looks slow to the balancer for a while, in proportion to how it failed. */
  private long penaltyNanos(MeshException failure) {
    long attempt = options.getAttemptTimeoutMs() * 1_000_000;
    return failure.code() == ErrorCode.TIMEOUT || failure.code() == ErrorCode.NO_HANDLERS ? attempt : attempt / 10;
  }

  private void logReroute(String node, MeshException failure) {
    long now = System.nanoTime();
    Long last = lastRerouteLog.get(node);
    if (last == null || now - last > 10_000_000_000L) {
      lastRerouteLog.put(node, now);
      LOG.info("Routing around node {}: {}", name(node), failure.toString());
    } else {
      LOG.debug("Rerouted from node {}: {}", name(node), failure.toString());
    }
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

  private Link link(String node) {
    return links.computeIfAbsent(node, id -> new Link(id, name(id), laneOptions, laneStats, this::transmit, vertx, registry));
  }

  private Future<Message<Buffer>> transmit(String node, Envelope e, long timeoutMs) {
    return vertx.eventBus().request(MeshAddresses.inbox(node), e, new DeliveryOptions().setSendTimeout(Math.max(1, timeoutMs)));
  }

  private void nodeLeft(String node) {
    router.forget(node);
    lastRerouteLog.remove(node);
    Map<ErrorCode, Counter> counters = reroutes.remove(node);
    if (counters != null) {
      counters.values().forEach(registry::remove);
    }
    Link link = links.remove(node);
    if (link != null) {
      link.close(new MeshException(ErrorCode.NO_HANDLERS, "node " + node + " left the mesh"));
    }
  }

  private String name(String nodeId) {
    MeshView.Entry e = view.get(nodeId);
    return e == null ? nodeId : e.report().node().name();
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    return Contexts.on(context, action);
  }
}
