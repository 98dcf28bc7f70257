package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.membership.ClusterMembership;
import io.netflow.mesh.MeshAddresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads this node's topic interest to every peer, and keeps every peer's in the {@link TopicInterest}
 * table, so that a publication goes to exactly the nodes that subscribe, however many topics there are.
 *
 * <p>Each node tells each member, over the member's interest address ({@link Addresses#interest}),
 * what changed: the topics added and removed in one event-loop turn travel as one <em>delta</em>,
 * numbered by a generation that grows with every change. A member that joins says <em>hello</em> to
 * every member, which answers with its whole list first (<em>sync</em> pages of {@value #PAGE} topics)
 * and then the reply: the event bus keeps one ordered connection per pair of nodes, so the joiner has
 * every list before its data plane starts. Each node also says hello to every member it sees join,
 * which is how two nodes that dropped each other's lists when a split cluster parted them (and that
 * never restarted) exchange them again when it heals. A delta a member fails to take marks it out of date; it is
 * sent the whole list again after a backoff, until it takes it or leaves. Nothing is ever cut: a
 * subscription is confirmed ({@link #subscribe}) only once every member that runs its data plane
 * has acknowledged a generation that includes it (a hung member holds it until it is dropped from
 * the cluster).
 *
 * <p>Owned by the data plane's event loop.
 */
public final class InterestSync {

  private static final Logger LOG = LoggerFactory.getLogger(InterestSync.class);
  /** Topics per message: a whole list of 100,000 topics travels as ten messages, not one of megabytes. */
  static final int PAGE = 10_000;
  private static final long REQUEST_TIMEOUT_MS = 3_000;
  private static final long BACKOFF_MIN_MS = 100;
  private static final long BACKOFF_MAX_MS = 2_000;
  /** How long a subscription waits for every member to confirm it before it is answered TIMEOUT. */
  private static final long CONFIRM_TIMEOUT_MS = 15_000;

  /** What this node knows of one member's copy of its list. */
  private static final class Peer {
    final String id;
    /** The highest generation of this node's list the member has acknowledged. */
    long acked = -1;
    /** Whether the member runs its data plane (it said hello, or took something): only then is it waited on. */
    boolean running;
    /** Missed a change: gets the whole list after {@link #backoffMs} instead of deltas. */
    boolean outOfDate;
    long backoffMs = BACKOFF_MIN_MS;

    Peer(String id) {
      this.id = id;
    }
  }

  private final Vertx vertx;
  private final String selfId;
  private final ClusterMembership cluster;
  private final TopicInterest table;
  private final int maxTopicsPerNode;
  private final IntConsumer onRefused;
  private final Map<String, Peer> peers = new HashMap<>();
  private final Set<String> added = new LinkedHashSet<>();
  private final Set<String> removed = new LinkedHashSet<>();
  private final TreeMap<Long, List<Promise<Void>>> waiters = new TreeMap<>();
  private final Map<String, List<String>> incoming = new HashMap<>();
  private long generation;
  private boolean flushScheduled;
  private Context context;
  private MessageConsumer<JsonObject> consumer;
  private AutoCloseable membershipListener;

  /**
   * @param maxTopicsPerNode the most topics kept for one peer (peers hold themselves to the same bound)
   * @param onRefused        told how many topics a peer sent past that bound
   */
  public InterestSync(Vertx vertx, String selfId, ClusterMembership cluster, TopicInterest table, int maxTopicsPerNode,
                      IntConsumer onRefused) {
    this.vertx = vertx;
    this.selfId = selfId;
    this.cluster = cluster;
    this.table = table;
    this.maxTopicsPerNode = maxTopicsPerNode;
    this.onRefused = onRefused;
  }

  /**
   * Starts taking peers' lists, then says hello to every member; completes once every member that
   * runs its data plane has sent its list (members that do not answer are caught up later).
   */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    consumer = vertx.eventBus().consumer(MeshAddresses.interest(selfId), this::onMessage);
    membershipListener = cluster.listen(new ClusterMembership.Listener() {
      @Override
      public void memberAdded(String nodeId) {
        context.runOnContext(v -> joined(nodeId));
      }

      @Override
      public void memberRemoved(String nodeId) {
        context.runOnContext(v -> left(nodeId));
      }
    });
    return consumer.completion().compose(v -> {
      List<Future<?>> hellos = new ArrayList<>();
      for (String member : cluster.members()) {
        if (!member.equals(selfId)) {
          hellos.add(hello(member, BACKOFF_MIN_MS));
        }
      }
      return Future.join(hellos).<Void>mapEmpty().otherwiseEmpty();
    });
  }

  /**
   * Asks a member for its whole list. A member without a data plane yet says hello itself when it
   * starts; one that cannot answer now (or does not see this node as a member yet) is asked again.
   */
  private Future<Void> hello(String member, long backoffMs) {
    return send(member, new JsonObject().put("op", "hello")).<Void>mapEmpty()
      .onSuccess(r -> peer(member).running = true)
      .onFailure(err -> {
        MeshException why = MeshException.of(err);
        if (why.code() != ErrorCode.NO_HANDLERS) {
          LOG.debug("Peer {} did not send its topic interest ({}); asking again in {} ms", member, why, backoffMs);
          vertx.setTimer(backoffMs, t -> {
            if (cluster.isMember(member)) {
              hello(member, Math.min(BACKOFF_MAX_MS, backoffMs * 2));
            }
          });
        }
      });
  }

  /** Stops taking lists and membership events. */
  public void stop() {
    if (consumer != null) {
      consumer.unregister();
    }
    try {
      if (membershipListener != null) {
        membershipListener.close();
      }
    } catch (Exception e) {
      LOG.debug("Closing the membership listener failed: {}", e.toString());
    }
  }

  /**
   * This node now subscribes to {@code topic}; completes once every running member knows it, so a
   * publication made anywhere after that reaches this node.
   */
  public Future<Void> subscribe(String topic) {
    long wanted;
    if (table.add(selfId, topic)) {
      if (!removed.remove(topic)) {
        added.add(topic);
      }
      scheduleFlush();
      wanted = generation + 1;
    } else {
      wanted = added.contains(topic) ? generation + 1 : generation;
    }
    return await(wanted);
  }

  /** This node no longer subscribes to {@code topic}. */
  public void unsubscribe(String topic) {
    if (table.remove(selfId, topic)) {
      if (!added.remove(topic)) {
        removed.add(topic);
      }
      scheduleFlush();
    }
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      context.runOnContext(v -> flush());
    }
  }

  /** Sends what changed in this turn to every member, as one delta (in pages when large). */
  private void flush() {
    flushScheduled = false;
    if (added.isEmpty() && removed.isEmpty()) {
      return;
    }
    long gen = ++generation;
    List<JsonObject> pages = new ArrayList<>();
    List<String> adds = new ArrayList<>(added);
    List<String> removes = new ArrayList<>(removed);
    added.clear();
    removed.clear();
    for (int from = 0; from < Math.max(adds.size(), removes.size()); from += PAGE) {
      pages.add(new JsonObject().put("op", "delta").put("gen", gen)
        .put("add", new JsonArray(slice(adds, from))).put("remove", new JsonArray(slice(removes, from))));
    }
    for (String member : cluster.members()) {
      if (member.equals(selfId)) {
        continue;
      }
      Peer p = peer(member);
      if (p.outOfDate) {
        continue;
      }
      sendAll(p, pages, gen);
    }
    settleWaiters();
  }

  /** Sends this node's whole list to a member that missed a change, or that said hello. */
  private void sync(Peer p) {
    long gen = generation;
    List<String> all = new ArrayList<>(table.topicsOf(selfId));
    List<JsonObject> pages = new ArrayList<>();
    int from = 0;
    do {
      List<String> page = slice(all, from);
      from += PAGE;
      pages.add(new JsonObject().put("op", "sync").put("gen", gen).put("first", pages.isEmpty())
        .put("last", from >= all.size()).put("topics", new JsonArray(page)));
    } while (from < all.size());
    p.outOfDate = false;
    sendAll(p, pages, gen);
  }

  private void sendAll(Peer p, List<JsonObject> pages, long gen) {
    List<Future<?>> sent = new ArrayList<>(pages.size());
    for (JsonObject page : pages) {
      sent.add(send(p.id, page));
    }
    Future.all(sent).onComplete(ar -> {
      if (ar.succeeded()) {
        p.running = true;
        p.acked = Math.max(p.acked, gen);
        p.backoffMs = BACKOFF_MIN_MS;
        settleWaiters();
      } else {
        missed(p, MeshException.of(ar.cause()));
      }
    });
  }

  /** A member did not take a change: send it the whole list later, while it is a member. */
  private void missed(Peer p, MeshException why) {
    if (p.outOfDate || peers.get(p.id) != p) {
      return;
    }
    if (why.code() == ErrorCode.NO_HANDLERS && !p.running) {
      // Its data plane has not started: it says hello (and takes every list) when it does.
      LOG.debug("Peer {} has no data plane yet; it will ask for topic interest itself", p.id);
    } else {
      LOG.debug("Peer {} missed a topic interest change ({}); sending the whole list in {} ms", p.id, why, p.backoffMs);
    }
    p.outOfDate = true;
    long delay = p.backoffMs;
    p.backoffMs = Math.min(BACKOFF_MAX_MS, p.backoffMs * 2);
    vertx.setTimer(delay, t -> {
      if (peers.get(p.id) == p && cluster.isMember(p.id)) {
        sync(p);
      }
    });
    settleWaiters();
  }

  private Future<Message<Object>> send(String member, JsonObject body) {
    return vertx.eventBus().request(MeshAddresses.interest(member), body.put("from", selfId),
      new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS));
  }

  private void onMessage(Message<JsonObject> m) {
    JsonObject body = m.body();
    String from = body == null ? null : body.getString("from");
    if (from == null || from.equals(selfId) || !cluster.isMember(from)) {
      // A sender this node does not (yet) see as a member: it tries again, and is heard once it is one.
      m.fail(ErrorCode.NOT_READY.code(), "0|not a member of this node's cluster view");
      return;
    }
    Peer p = peer(from);
    p.running = true;
    switch (body.getString("op", "")) {
      case "hello" -> {
        sync(p);
        m.reply(null);
      }
      case "delta" -> {
        body.getJsonArray("remove", new JsonArray()).forEach(t -> table.remove(from, String.valueOf(t)));
        int refused = 0;
        for (Object t : body.getJsonArray("add", new JsonArray())) {
          if (table.count(from) >= maxTopicsPerNode) {
            refused++;
          } else {
            table.add(from, String.valueOf(t));
          }
        }
        refuse(from, refused);
        m.reply(null);
      }
      case "sync" -> {
        List<String> pages = body.getBoolean("first", true) ? new ArrayList<>() : incoming.computeIfAbsent(from,
          f -> new ArrayList<>());
        body.getJsonArray("topics", new JsonArray()).forEach(t -> pages.add(String.valueOf(t)));
        if (body.getBoolean("last", true)) {
          incoming.remove(from);
          int refused = Math.max(0, pages.size() - maxTopicsPerNode);
          table.replace(from, refused > 0 ? pages.subList(0, maxTopicsPerNode) : pages);
          refuse(from, refused);
        } else {
          incoming.put(from, pages);
        }
        m.reply(null);
      }
      default -> m.fail(ErrorCode.MALFORMED.code(), "0|unknown interest op");
    }
  }

  /** A peer over the bound misbehaves (every node holds itself to it): said loudly, never silently. */
  private void refuse(String from, int refused) {
    if (refused > 0) {
      LOG.warn("Peer {} subscribes to more than mesh.max-topics ({}); {} of its topics are not kept", from,
        maxTopicsPerNode, refused);
      onRefused.accept(refused);
    }
  }

  /**
   * A member joined: a starting node says hello itself once its data plane runs (and this hello
   * then finds no handler, and ends). One that was removed and came back without restarting (it
   * hung past the failure detector, and a split healed) says nothing: its list is asked for here,
   * as it asks for this node's.
   */
  private void joined(String member) {
    if (!member.equals(selfId)) {
      hello(member, BACKOFF_MIN_MS);
    }
  }

  private void left(String member) {
    peers.remove(member);
    incoming.remove(member);
    int dropped = table.dropNode(member);
    if (dropped > 0) {
      LOG.debug("Forgot {} topic(s) of departed node {}", dropped, member);
    }
    settleWaiters();
  }

  private Peer peer(String id) {
    return peers.computeIfAbsent(id, Peer::new);
  }

  private Future<Void> await(long gen) {
    if (confirmed(gen)) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    waiters.computeIfAbsent(gen, g -> new ArrayList<>()).add(p);
    long timer = vertx.setTimer(CONFIRM_TIMEOUT_MS, t -> {
      List<Promise<Void>> same = waiters.get(gen);
      if (same != null && same.remove(p) && same.isEmpty()) {
        waiters.remove(gen);
      }
      p.tryFail(new MeshException(ErrorCode.TIMEOUT, "not every node confirmed the subscription within "
        + CONFIRM_TIMEOUT_MS + " ms; try again"));
    });
    return p.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  /** Whether every running member (other than this node) has acknowledged generation {@code gen}. */
  private boolean confirmed(long gen) {
    if (gen > generation) {
      return false;
    }
    for (String member : cluster.members()) {
      if (member.equals(selfId)) {
        continue;
      }
      Peer p = peers.get(member);
      if (p != null && p.running && p.acked < gen) {
        return false;
      }
    }
    return true;
  }

  private void settleWaiters() {
    while (!waiters.isEmpty() && confirmed(waiters.firstKey())) {
      waiters.pollFirstEntry().getValue().forEach(Promise::tryComplete);
    }
  }

  private static List<String> slice(List<String> all, int from) {
    return from >= all.size() ? List.of() : all.subList(from, Math.min(all.size(), from + PAGE));
  }
}
