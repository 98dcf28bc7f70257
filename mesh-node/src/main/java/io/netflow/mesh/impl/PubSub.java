package io.netflow.mesh.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.Headers;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.lanes.Transmitter;
import io.netflow.membership.ClusterMembership;
import io.netflow.mesh.Mesh;
import io.netflow.mesh.MeshOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topics on the data plane: publications go to exactly the nodes whose interest this node knows
 * ({@link TopicInterest}, kept by {@link InterestSync}); subscriptions are confirmed once every node
 * knows them and go away with their last local subscriber. The gateway's clients share one node
 * subscription per topic, counted ({@link Addresses#SUBSCRIBE}, {@link Addresses#UNSUBSCRIBE}).
 *
 * <p>Owned by the data plane's event loop.
 */
public final class PubSub {

  private static final Logger LOG = LoggerFactory.getLogger(PubSub.class);

  /** One topic the gateway's clients subscribe to: how many of them, and the node's one subscription. */
  private static final class Feed {
    int clients;
    Future<Mesh.Registration> registration;
  }

  private final Vertx vertx;
  private final String selfId;
  private final MeshOptions options;
  private final Inbox inbox;
  private final Transmitter links;
  private final TopicInterest interest = new TopicInterest();
  private final InterestSync sync;
  private final Map<String, Feed> feeds = new HashMap<>();

  public PubSub(Vertx vertx, String selfId, MeshOptions options, ClusterMembership cluster, Inbox inbox,
                Transmitter links, MeterRegistry registry) {
    this.vertx = vertx;
    this.selfId = selfId;
    this.options = options;
    this.inbox = inbox;
    this.links = links;
    Counter refused = Counter.builder("netflow.mesh.topics.refused")
      .description("Topics a peer subscribed to past mesh.max-topics, not kept (a misconfigured peer)").register(registry);
    this.sync = new InterestSync(vertx, selfId, cluster, interest, options.getMaxTopics(), refused::increment);
    Gauge.builder("netflow.mesh.topics", interest, i -> i.count(selfId)).tag("scope", "local")
      .description("Topics this node subscribes to (local), and distinct topics subscribed anywhere in the mesh (mesh)")
      .register(registry);
    Gauge.builder("netflow.mesh.topics", interest, TopicInterest::topics).tag("scope", "mesh").register(registry);
  }

  /** Takes peers' interest (and asks every member for theirs), and serves the gateway's subscriptions. */
  public Future<Void> start() {
    var eb = vertx.eventBus();
    var subscribe = eb.<JsonObject>localConsumer(Addresses.SUBSCRIBE, this::feed);
    var unsubscribe = eb.<JsonObject>localConsumer(Addresses.UNSUBSCRIBE, this::unfeed);
    return Future.all(subscribe.completion(), unsubscribe.completion()).compose(v -> sync.start());
  }

  public void stop() {
    sync.stop();
  }

  /** Which nodes subscribe to which topics, as this node knows it. */
  public TopicInterest interest() {
    return interest;
  }

  /**
   * Sends a (validated) publication to every node that subscribes to its topic, this one included;
   * completes with how many nodes once each has it.
   */
  public Future<Integer> publish(Envelope e) {
    String[] nodes = interest.nodes(e.topic());
    List<Future<?>> deliveries = new ArrayList<>(nodes.length);
    for (String node : nodes) {
      if (node.equals(selfId)) {
        inbox.deliver(e);
      } else {
        deliveries.add(links.send(node, e, options.getAttemptTimeoutMs()));
      }
    }
    if (deliveries.isEmpty()) {
      return Future.succeededFuture(nodes.length);
    }
    return Future.join(deliveries).map(done -> nodes.length)
      .recover(err -> Future.failedFuture(firstFailure(deliveries)));
  }

  /** Subscribes {@code handler} here; completes once every node knows this node subscribes to {@code topic}. */
  public Future<Mesh.Registration> subscribe(String topic, Handler<Envelope> handler) {
    if (!Envelope.NAME.matcher(topic).matches()) {
      return Future.failedFuture(new MeshException(ErrorCode.MALFORMED, "bad topic name '" + topic + "'"));
    }
    if (!inbox.hasSubscribers(topic) && interest.count(selfId) >= options.getMaxTopics()) {
      return Future.failedFuture(new MeshException(ErrorCode.LIMIT_REACHED, "this node subscribes to mesh.max-topics ("
        + options.getMaxTopics() + ") topics"));
    }
    inbox.subscribe(topic, handler);
    Mesh.Registration registration = () -> {
      unsubscribe(topic, handler);
      return Future.succeededFuture();
    };
    // A subscription no node confirmed leaves nothing behind: the caller may simply try again.
    return sync.subscribe(topic).map(v -> registration).onFailure(err -> unsubscribe(topic, handler));
  }

  private void unsubscribe(String topic, Handler<Envelope> handler) {
    inbox.unsubscribe(topic, handler);
    if (!inbox.hasSubscribers(topic)) {
      sync.unsubscribe(topic);
    }
  }

  /** One more gateway client subscribes to a topic: the node subscribes once, and republishes locally. */
  private void feed(Message<JsonObject> m) {
    String topic = m.body() == null ? null : m.body().getString("topic");
    if (topic == null || !Envelope.NAME.matcher(topic).matches()) {
      m.fail(ErrorCode.MALFORMED.code(), "0|bad topic");
      return;
    }
    Feed feed = feeds.get(topic);
    if (feed == null) {
      Feed created = new Feed();
      feeds.put(topic, created);
      created.registration = subscribe(topic, e -> vertx.eventBus().publish(Addresses.topicFeed(topic),
        e.payload().toString(), new DeliveryOptions().setLocalOnly(true).addHeader(Headers.ID, e.id())
          .addHeader(Headers.PRIORITY, e.priority().name())))
        .onFailure(err -> feeds.remove(topic, created));
      feed = created;
    }
    feed.clients++;
    Feed counted = feed;
    feed.registration.onSuccess(r -> m.reply(null)).onFailure(err -> {
      counted.clients--;
      MeshException e = MeshException.of(err);
      e.failOn(m);
    });
  }

  /** A gateway client left a topic; the node unsubscribes with the last one. */
  private void unfeed(Message<JsonObject> m) {
    String topic = m.body() == null ? null : m.body().getString("topic");
    Feed feed = topic == null ? null : feeds.get(topic);
    if (feed == null || feed.registration == null) {
      return;
    }
    if (--feed.clients <= 0) {
      feeds.remove(topic);
      feed.registration.onSuccess(Mesh.Registration::close);
      LOG.debug("Last gateway subscriber of '{}' left", topic);
    }
  }

  /** Topics this node subscribes to, and a few of them by name (for the load report and console). */
  public int topicCount() {
    return interest.count(selfId);
  }

  private static MeshException firstFailure(List<Future<?>> futures) {
    return futures.stream().filter(Future::failed).findFirst().map(f -> MeshException.of(f.cause()))
      .orElse(new MeshException(ErrorCode.INTERNAL, "publication failed"));
  }
}
