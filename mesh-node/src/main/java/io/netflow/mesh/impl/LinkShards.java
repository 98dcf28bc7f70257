package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.lanes.Link;
import io.netflow.lanes.Transmitter;
import io.netflow.mesh.Contexts;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A node's links spread over {@code mesh.shards} event loops by destination: each destination's
 * {@link Link} (its lanes, window and DRR state) is owned by exactly one loop for its whole life,
 * so it keeps its single-thread ownership and its priority guarantees, while links to different
 * destinations schedule, send and take their answers in parallel. Shard 0 is the data plane's own
 * loop: a node with one shard, or a destination placed there, pays no hop. A new link goes to the
 * shard with the fewest links.
 *
 * <p>{@link #send} may be called from any thread; the answer comes back on the caller's event loop,
 * so routing state (in-flight counts, latency estimates) stays with the loop that routes. From a
 * shard's loop, sends and answers cross between loops in batches, one hop per turn ({@link
 * Handoff}). Envelopes to one destination are handed to its loop in the order they are sent, so
 * order per (publisher, topic) holds across the hop.
 */
public final class LinkShards implements Transmitter {

  /** A loop of its own for links: deployed only for the shards past the first. */
  private static final class ShardLoop extends VerticleBase {
    volatile Runnable onStop = () -> { };

    Context loop() {
      return context;
    }

    @Override
    public Future<?> stop() {
      onStop.run();
      return Future.succeededFuture();
    }
  }

  private record Placed(Link link, int shard) {
  }

  private final List<Context> loops;
  private final List<Thread> threads;
  /** {@code handoffs[from][to]}: sends from one shard's loop to a link on another, batched per turn. */
  private final Handoff[][] handoffs;
  private final BiFunction<String, Integer, Link> newLink;
  private final Predicate<String> member;
  private final Map<String, Placed> links = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  private final int[] placed;

  private LinkShards(List<Context> loops, List<Thread> threads, BiFunction<String, Integer, Link> newLink, Predicate<String> member) {
    this.member = member;
    this.loops = List.copyOf(loops);
    this.threads = List.copyOf(threads);
    this.handoffs = new Handoff[loops.size()][loops.size()];
    for (int from = 0; from < loops.size(); from++) {
      for (int to = 0; to < loops.size(); to++) {
        handoffs[from][to] = new Handoff(loops.get(from), loops.get(to));
      }
    }
    this.newLink = newLink;
    this.placed = new int[loops.size()];
  }

  /**
   * Starts {@code shards} loops: {@code own} (the data plane's) and {@code shards - 1} more. Call it
   * from the data plane's verticle: the extra loops are its children, undeployed with it.
   *
   * @param newLink makes the link to a destination, given the shard that will own it (called on the
   *                caller's thread; the link is used only on its shard's loop from then on)
   */
  public static Future<LinkShards> start(Vertx vertx, Context own, int shards, BiFunction<String, Integer, Link> newLink,
                                         Predicate<String> member) {
    List<Context> loops = new ArrayList<>(List.of(own));
    if (shards <= 1) {
      return withThreads(loops, newLink, member);
    }
    List<ShardLoop> made = new ArrayList<>();
    return vertx.deployVerticle(() -> {
      ShardLoop s = new ShardLoop();
      made.add(s);
      return s;
    }, new DeploymentOptions().setInstances(shards - 1)).compose(id -> {
      made.forEach(s -> loops.add(s.loop()));
      return withThreads(loops, newLink, member).onSuccess(l -> {
        // A loop stopping (with the data plane: its loops are the verticle's children, stopped
        // first) fails what its links hold, so that no caller waits on a timer that is gone.
        for (int i = 0; i < made.size(); i++) {
          int shard = i + 1;
          made.get(i).onStop = () -> l.closeShard(shard);
        }
      });
    });
  }

  /** Learns each loop's thread (a send names its shard by the thread it runs on). */
  private static Future<LinkShards> withThreads(List<Context> loops, BiFunction<String, Integer, Link> newLink,
                                                Predicate<String> member) {
    List<Future<Thread>> threads = new ArrayList<>();
    for (Context loop : loops) {
      threads.add(Contexts.on(loop, () -> Future.succeededFuture(Thread.currentThread())));
    }
    return Future.all(threads).map(all -> new LinkShards(loops, threads.stream().map(Future::result).toList(), newLink,
      member));
  }

  /** Queues {@code envelope} on the link to {@code node}, on that link's loop; completes with the node's answer. */
  @Override
  public Future<Buffer> send(String node, Envelope envelope, long attemptTimeoutMs) {
    Placed p = stopping ? null : links.computeIfAbsent(node, this::place);
    if (p == null) {
      return Future.failedFuture(new MeshException(ErrorCode.NO_HANDLERS, stopping ? "this node is stopping"
        : "node " + node + " is not in the mesh"));
    }
    return on(p.shard(), () -> p.link().offer(envelope, attemptTimeoutMs));
  }

  /**
   * Runs {@code work} on shard {@code to}'s loop from the calling shard's, batched per turn ({@link
   * Handoff}); from a thread that is no shard's, hops on its own.
   */
  public <T> Future<T> on(int to, Supplier<Future<T>> work) {
    int from = shardOfThisThread();
    return from < 0 ? Contexts.on(loops.get(to), work) : handoffs[from][to].run(work);
  }

  /** The shard whose loop runs on this thread, or -1. */
  public int shardOfThisThread() {
    return threads.indexOf(Thread.currentThread());
  }

  /** A link for a node of the mesh (one that left gets none: a late send must not bring it back). */
  private synchronized Placed place(String node) {
    if (!member.test(node)) {
      return null;
    }
    int best = 0;
    for (int i = 1; i < placed.length; i++) {
      if (placed[i] < placed[best]) {
        best = i;
      }
    }
    placed[best]++;
    return new Placed(newLink.apply(node, best), best);
  }

  /** Shard {@code shard}'s loop is stopping: its links fail what they hold, and no new link is made. */
  private void closeShard(int shard) {
    stopping = true;
    MeshException reason = new MeshException(ErrorCode.NO_HANDLERS, "this node is stopping");
    links.forEach((node, p) -> {
      if (p.shard() == shard && unplace(node, p)) {
        p.link().close(reason);
      }
    });
  }

  /** The node left: its link fails what it holds (on its own loop) and is forgotten. */
  public void remove(String node, MeshException reason) {
    Placed p = links.get(node);
    if (p != null && unplace(node, p)) {
      loops.get(p.shard()).runOnContext(v -> p.link().close(reason));
    }
  }

  /** Forgets {@code node}'s link {@code p}, if it is still the one held; true when this call did. */
  private boolean unplace(String node, Placed p) {
    if (!links.remove(node, p)) {
      return false;
    }
    synchronized (this) {
      placed[p.shard()]--;
    }
    return true;
  }

  /** How many links shard {@code i} owns now. */
  public synchronized int linksOn(int i) {
    return placed[i];
  }

  /** The shard that owns the link to {@code node}, or -1 when there is no link to it yet. */
  public int shardOf(String node) {
    Placed p = links.get(node);
    return p == null ? -1 : p.shard();
  }

  /** The event loop of shard {@code i}, in [0, {@link #count()}). */
  public Context loop(int i) {
    return loops.get(i);
  }

  /** How many shards. */
  public int count() {
    return loops.size();
  }

  /** Bytes sent per link, per lane ({@code {"<node>": {"CRITICAL": n, ..}}}); safe from any thread. */
  public JsonObject sentBytes() {
    JsonObject json = new JsonObject();
    links.forEach((node, p) -> json.put(node, p.link().sentBytes()));
    return json;
  }
}
