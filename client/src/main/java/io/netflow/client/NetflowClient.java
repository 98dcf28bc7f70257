package io.netflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A game server's or Micro Node's connection to the mesh, with no HTTP written by hand. It learns
 * the mesh ({@link MeshNodes}), holds one WebSocket ({@code /v1/stream}) to the best node, and when
 * that node dies (the socket closes) or drains ({@code /ready} answers 503, checked every
 * {@link Options#checkInterval()}) it moves to the next best at once, then with jittered
 * exponential backoff while no node answers.
 *
 * <p>What it held moves with it: every topic is subscribed again, and every CRITICAL or HIGH
 * request not yet acknowledged is sent again with its id, marked {@code resend}: the node of the
 * mesh that handled the first copy remembers the id ({@code mesh.dedupe-ttl-ms}) and answers the
 * second from memory, so it is applied once. Sends of other
 * priorities that were on the lost connection fail (nothing de-duplicates them; the caller
 * decides); sends made while no connection is up wait for the next one.
 *
 * <p>A send the mesh refuses as busy (429, 503) is sent again after the delay it asked for, until
 * the send's deadline; any other refusal fails the send with its {@link MeshError}, never retried.
 * Thread-safe; frames go out one at a time, as the JDK's WebSocket requires.
 */
public final class NetflowClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param nodes         node URLs to start from (any one is enough; the rest are learned)
   * @param apiKey        the key the client speaks with
   * @param region        the region whose nodes it prefers (null: any)
   * @param timeout       for connecting and for each HTTP request
   * @param sendTimeout   how long a send may wait for its acknowledgement, retries included
   * @param checkInterval how often the node in use is asked whether it is draining
   * @param maxPending    sends waiting for an acknowledgement at most; past it {@link #send} fails
   *                      at once with LIMIT_REACHED
   */
  public record Options(List<URI> nodes, String apiKey, String region, Duration timeout, Duration sendTimeout,
                        Duration checkInterval, int maxPending) {
    public Options {
      nodes = List.copyOf(nodes);
      Objects.requireNonNull(apiKey, "apiKey");
      if (maxPending < 1) {
        throw new IllegalArgumentException("maxPending must be at least 1");
      }
    }

    /** Defaults: 2 s timeouts, 30 s to acknowledge a send, a drain check every 250 ms, 10,000 pending sends. */
    public static Options of(List<URI> nodes, String apiKey) {
      return new Options(nodes, apiKey, null, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMillis(250),
        10_000);
    }

    public Options region(String r) {
      return new Options(nodes, apiKey, r, timeout, sendTimeout, checkInterval, maxPending);
    }

    public Options maxPending(int max) {
      return new Options(nodes, apiKey, region, timeout, sendTimeout, checkInterval, max);
    }
  }

  /**
   * A send's acknowledgement.
   *
   * @param node     the node that handled it (services) or took it (topics)
   * @param attempts tries inside the mesh (CRITICAL and HIGH requests), else 0
   * @param reply    the service's reply (CRITICAL and HIGH requests), else null
   */
  public record Ack(String id, int status, String node, int attempts, String reply) {
  }

  /** A publication on a subscribed topic. */
  public record Delivery(String topic, String id, String payload) {
  }

  /** A send waiting for its acknowledgement; {@code sentOn} is the connection it last went out on (set under the write lock). */
  private static final class Pending {
    final Message message;
    final CompletableFuture<Ack> ack = new CompletableFuture<>();
    volatile WebSocket sentOn;
    /** Sent again after a lost connection: every later try is a copy too, as the first may have been applied. */
    volatile boolean copy;

    Pending(Message message) {
      this.message = message;
    }
  }

  private final HttpClient http;
  private final Options options;
  private final MeshNodes mesh;
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "netflow-client");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, Consumer<Delivery>> topics = new ConcurrentHashMap<>();
  private final java.util.Set<String> followed = ConcurrentHashMap.newKeySet();
  private final List<Consumer<URI>> nodeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<JsonNode>> frameListeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean connecting = new AtomicBoolean();
  private final CompletableFuture<URI> firstConnection = new CompletableFuture<>();
  private volatile WebSocket socket;
  private volatile URI current;
  private volatile boolean closed;
  /** The tail of the frames going out: each waits for the one before it. */
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
  private long backoffMs;
  /** Readiness checks in a row that could not reach the node in use; one check runs at a time. */
  private volatile int unreachable;
  private final java.util.concurrent.atomic.AtomicBoolean checking = new java.util.concurrent.atomic.AtomicBoolean();

  public NetflowClient(HttpClient http, Options options) {
    this.http = http;
    this.options = options;
    this.mesh = new MeshNodes(http, options.nodes(), options.apiKey(), options.region(), options.timeout());
  }

  /** Connects to the best node, and keeps connected until {@link #close()}; completes once first connected. */
  public CompletableFuture<URI> connect() {
    long check = options.checkInterval().toMillis();
    timers.scheduleWithFixedDelay(this::checkDraining, check, check, TimeUnit.MILLISECONDS);
    reconnectSoon(0);
    return firstConnection;
  }

  /** The node in use now; null between connections. */
  public URI node() {
    return socket == null ? null : current;
  }

  /** Called with each node the client connects to, and with null when it loses one. */
  public void onNode(Consumer<URI> listener) {
    nodeListeners.add(listener);
  }

  /** Called with every frame from the mesh that is not an answer to a send (model pushes, drops). */
  public void onFrame(Consumer<JsonNode> listener) {
    frameListeners.add(listener);
  }

  /**
   * Sends a message; completes with its acknowledgement, or fails with a {@link MeshError} (its
   * code says why) or, past {@link Options#sendTimeout()}, with TIMEOUT.
   */
  public CompletableFuture<Ack> send(Message message) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the client is closed"));
    }
    if (pending.size() >= options.maxPending()) {
      return CompletableFuture.failedFuture(new MeshError(1021, "LIMIT_REACHED", options.maxPending()
        + " sends wait for an acknowledgement (maxPending)", Duration.ofSeconds(1)));
    }
    Pending p = new Pending(message);
    if (pending.putIfAbsent(message.id(), p) != null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("a send with id " + message.id()
        + " is already waiting for its acknowledgement"));
    }
    timers.schedule(() -> fail(message.id(), new MeshError(1010, "TIMEOUT", "no acknowledgement within "
      + options.sendTimeout().toMillis() + " ms", Duration.ZERO)), options.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
    transmit(p);
    return p.ack;
  }

  /** Subscribes to a topic for as long as this client lives, again on every node it moves to. */
  public void subscribe(String topic, Consumer<Delivery> onMessage) {
    if (topics.put(topic, onMessage) == null) {
      write(JSON.createObjectNode().put("op", "subscribe").put("topic", topic), null, false);
    }
  }

  /**
   * Follows a model for as long as this client lives (a key with {@code models:<glob>}): whenever
   * what devices should run of it changes, a {@code {"op":"model","model","version","previous","state"}}
   * frame reaches the {@link #onFrame} listeners ({@code io.netflow.client.models.ModelFollower} acts on it).
   */
  public void follow(String model) {
    if (followed.add(model)) {
      write(JSON.createObjectNode().put("op", "follow").put("model", model), null, false);
    }
  }

  public void unsubscribe(String topic) {
    if (topics.remove(topic) != null) {
      write(JSON.createObjectNode().put("op", "unsubscribe").put("topic", topic), null, false);
    }
  }

  @Override
  public void close() {
    closed = true;
    timers.shutdownNow();
    WebSocket ws = socket;
    socket = null;
    if (ws != null) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "closed").exceptionally(err -> null);
    }
    pending.values().forEach(p -> p.ack.completeExceptionally(new IllegalStateException("the client is closed")));
    pending.clear();
  }

  private void reconnectSoon(long delayMs) {
    if (!closed && connecting.compareAndSet(false, true)) {
      timers.schedule(this::reconnect, delayMs, TimeUnit.MILLISECONDS);
    }
  }

  /** Tries the nodes best first; when none answers, again after a jittered, doubling backoff (2 s at most). */
  private void reconnect() {
    if (closed) {
      return;
    }
    connectTo(mesh.ranked(), 0).whenComplete((node, err) -> {
      if (err == null) {
        backoffMs = 0;
        connecting.set(false);
        firstConnection.complete(node);
        return;
      }
      backoffMs = Math.min(2_000, Math.max(50, backoffMs * 2));
      long wait = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
      if (!closed) {
        timers.schedule(this::reconnect, wait, TimeUnit.MILLISECONDS);
      }
    });
  }

  private CompletableFuture<URI> connectTo(List<URI> order, int i) {
    if (i >= order.size() || closed) {
      return CompletableFuture.failedFuture(new IOException("no node of the mesh answered"));
    }
    URI node = order.get(i);
    URI stream = URI.create(node.toString().replaceFirst("^http", "ws").replaceFirst("/$", "") + "/v1/stream");
    return http.newWebSocketBuilder().header("Authorization", "Bearer " + options.apiKey())
      .connectTimeout(options.timeout()).buildAsync(stream, new Listener())
      .thenApply(ws -> {
        connected(node, ws);
        return node;
      })
      .exceptionallyCompose(err -> {
        mesh.failed(node);
        return connectTo(order, i + 1);
      });
  }

  /** A new connection takes over what the client holds: its topics, and its unacknowledged sends. */
  private void connected(URI node, WebSocket ws) {
    synchronized (this) {
      current = node;
      socket = ws;
      sending = CompletableFuture.completedFuture(null);
      unreachable = 0;
    }
    topics.keySet().forEach(t -> write(JSON.createObjectNode().put("op", "subscribe").put("topic", t), null, false));
    followed.forEach(m -> write(JSON.createObjectNode().put("op", "follow").put("model", m), null, false));
    pending.values().forEach(p -> {
      if (p.sentOn == null || p.sentOn == ws || p.message.resendable()) {
        p.copy |= p.sentOn != null;
        write(p.message.toFrame(p.copy), p, false);
      } else {
        fail(p.message.id(), new MeshError(1011, "NO_HANDLERS", "the connection was lost before the acknowledgement; "
          + p.message.priority() + " sends are not sent again", Duration.ZERO));
      }
    });
    nodeListeners.forEach(l -> l.accept(node));
  }

  /** A node that closed the socket, failed, or is draining: the client moves on (once per connection). */
  private void lost(WebSocket ws) {
    boolean mine;
    synchronized (this) {
      mine = ws != null && ws == socket;
      if (mine) {
        socket = null;
      }
    }
    if (mine) {
      mesh.failed(current);
      ws.abort();
      nodeListeners.forEach(l -> l.accept(null));
      reconnectSoon(0);
    }
  }

  /**
   * Every check interval: a node that stops being ready (draining, stopping: 503) is left for the
   * next; so is one whose {@code /ready} cannot be reached twice in a row while its socket stays open.
   */
  private void checkDraining() {
    WebSocket ws = socket;
    URI node = current;
    if (ws == null || node == null || closed || !checking.compareAndSet(false, true)) {
      return;
    }
    // Asynchronous: a node slow to answer must not hold up the timer thread that reconnects and
    // times out sends.
    try {
      http.sendAsync(MeshHttp.request(node.resolve("/ready")).timeout(options.timeout()).GET().build(),
        HttpResponse.BodyHandlers.discarding()).whenComplete((r, err) -> {
          try {
            if (ws != socket) {
              return;
            }
            if (err == null) {
              unreachable = 0;
              if (r.statusCode() == 503) {
                lost(ws);
              }
            } else if (++unreachable >= 2) {
              lost(ws);
            }
          } finally {
            checking.set(false);
          }
        });
    } catch (RuntimeException e) {
      checking.set(false);
      throw e;
    }
  }

  private void transmit(Pending p) {
    p.copy |= p.sentOn != null;
    write(p.message.toFrame(p.copy), p, false);
  }

  /**
   * Queues a frame behind the ones before it. With no connection up it is not written: what must
   * survive (topics, sends) is held and written again by {@link #connected}. A send goes out once
   * per connection unless {@code again} (a retry the mesh asked for), whichever of {@link #send}
   * and {@link #connected} gets to it first.
   */
  private synchronized void write(ObjectNode frame, Pending p, boolean again) {
    WebSocket ws = socket;
    if (ws == null) {
      return;
    }
    if (p != null) {
      if (p.sentOn == ws && !again) {
        return;
      }
      p.sentOn = ws;
    }
    String text = frame.toString();
    sending = sending.handle((v, err) -> null).thenCompose(v -> ws != socket ? CompletableFuture.completedFuture(null)
      : ws.sendText(text, true));
  }

  private void fail(String id, Throwable why) {
    Pending p = pending.remove(id);
    if (p != null) {
      p.ack.completeExceptionally(why);
    }
  }

  private void dispatch(JsonNode f) {
    switch (f.path("op").asText()) {
      case "ack" -> {
        Pending p = pending.remove(f.path("id").asText());
        if (p != null) {
          p.ack.complete(new Ack(f.path("id").asText(), f.path("status").asInt(), f.path("node").asText(null),
            f.path("attempts").asInt(0), f.path("reply").asText(null)));
        }
      }
      case "error" -> refused(f);
      case "message" -> {
        Consumer<Delivery> handler = topics.get(f.path("topic").asText());
        if (handler != null) {
          handler.accept(new Delivery(f.path("topic").asText(), f.path("id").asText(null), f.path("payload").asText("")));
        }
      }
      default -> frameListeners.forEach(l -> l.accept(f));
    }
  }

  /** A refused send: sent again after the delay the mesh asked for when it was busy, else failed with its code. */
  private void refused(JsonNode f) {
    String id = f.path("id").asText(null);
    Pending p = id == null ? null : pending.get(id);
    if (p == null) {
      frameListeners.forEach(l -> l.accept(f));
      return;
    }
    MeshError e = MeshError.of(f, Duration.ofSeconds(1));
    if (!e.retryable()) {
      fail(id, e);
      return;
    }
    long wait = Math.max(1, e.retryAfter().toMillis());
    timers.schedule(() -> {
      if (pending.get(id) == p) {
        write(p.message.toFrame(p.copy), p, true);
      }
    }, wait, TimeUnit.MILLISECONDS);
  }

  /** One connection's frames, put together when the JDK hands them over in parts. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          dispatch(JSON.readTree(text.toString()));
        } catch (IOException e) {
          // Not a frame of the protocol: nothing to act on.
        } finally {
          text.setLength(0);
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      lost(ws);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      lost(ws);
    }
  }
}
