package io.netflow.client.models;

import io.netflow.client.NetflowClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps a device's models in step with the mesh, as they change: it follows each model over the
 * client's WebSocket ({@code {"op":"follow"}}) and syncs ({@link ModelSync#sync}: download, verify,
 * switch) when the mesh pushes a change ({@code {"op":"model"}}), when the client connects to a
 * node (a push may have been missed between connections), when the mesh said to ask again (the
 * device's wave opens, no source had room), and at least every {@code poll} (the fallback). The app
 * is called back on each switch. Syncs run one at a time, on a thread of their own.
 */
public final class ModelFollower implements AutoCloseable {

  private final NetflowClient client;
  private final ModelSync sync;
  private final List<String> models;
  private final Duration poll;
  private final Consumer<ModelSync.Outcome> onSwitched;
  private final Consumer<RuntimeException> onError;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "netflow-model-follower");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, ScheduledFuture<?>> next = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param poll       the longest between two syncs of a model when nothing is pushed
   * @param onSwitched called with each switch to another version (the file is verified and in place)
   * @param onError    called with a sync that failed (a bad signature, no node in reach); it is tried
   *                   again at the next push, connection or poll
   */
  public ModelFollower(NetflowClient client, ModelSync sync, List<String> models, Duration poll,
                       Consumer<ModelSync.Outcome> onSwitched, Consumer<RuntimeException> onError) {
    this.client = client;
    this.sync = sync;
    this.models = List.copyOf(models);
    this.poll = poll;
    this.onSwitched = onSwitched;
    this.onError = onError;
  }

  /** Follows every model and syncs each once now. */
  public void start() {
    client.onFrame(f -> {
      if ("model".equals(f.path("op").asText()) && models.contains(f.path("model").asText())) {
        syncIn(f.path("model").asText(), Duration.ZERO);
      }
    });
    client.onNode(node -> {
      if (node != null) {
        models.forEach(m -> syncIn(m, Duration.ZERO));
      }
    });
    models.forEach(client::follow);
    models.forEach(m -> syncIn(m, Duration.ZERO));
  }

  @Override
  public void close() {
    closed = true;
    worker.shutdownNow();
  }

  /** Syncs {@code model} after {@code delay}, replacing a later sync already planned (never delaying a sooner one). */
  private synchronized void syncIn(String model, Duration delay) {
    if (closed) {
      return;
    }
    ScheduledFuture<?> planned = next.get(model);
    // One planned and not yet due: keep whichever is sooner. One running (or due behind it): plan
    // another after it, so a change pushed during a sync is not missed.
    if (planned != null && !planned.isDone() && planned.getDelay(TimeUnit.MILLISECONDS) > 0) {
      if (planned.getDelay(TimeUnit.MILLISECONDS) <= delay.toMillis()) {
        return;
      }
      planned.cancel(false);
    }
    next.put(model, worker.schedule(() -> run(model), delay.toMillis(), TimeUnit.MILLISECONDS));
  }

  private void run(String model) {
    Duration again = poll;
    try {
      ModelSync.Outcome o = sync.sync(model);
      if (o.switched()) {
        onSwitched.accept(o);
      }
      if (!o.retryAfter().isZero() && o.retryAfter().compareTo(poll) < 0) {
        again = o.retryAfter();
      }
    } catch (RuntimeException e) {
      onError.accept(e);
    }
    syncIn(model, again);
  }
}
