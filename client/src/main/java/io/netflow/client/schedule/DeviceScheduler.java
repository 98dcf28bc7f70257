package io.netflow.client.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Micro Node's own scheduler of data requests: it keeps them in a {@link RequestStore} (so a
 * restart or a crash loses none), places each in time ({@link Placement}: the reward window that
 * pays it best before its deadline, where this device is likely to be allowed to send, drawn so
 * devices spread out) and carries it then, if the device allows ({@link SchedulerOptions#allows}).
 * REALTIME requests go at once; a request near its deadline goes on any network; one whose window
 * passed while the device was not allowed is placed again. A request ends once: carried (its
 * receipt kept) or refused as wrong (its error kept); a busy mesh means later, never lost.
 *
 * <p>Driven by {@link #tick()}: {@link #start()} runs it on its own thread, waking when the next
 * request is due or every {@link SchedulerOptions#tick()}; a simulation calls it on a virtual clock.
 * Thread-safe.
 */
public final class DeviceScheduler implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request's place in time, as this run of the scheduler chose it. */
  public record Planned(String id, RequestClass requestClass, Instant at, double multiplier, Instant deadline) {
  }

  private static final class Plan {
    Placement.Choice choice;
    int draws;

    Plan(Placement.Choice choice) {
      this.choice = choice;
    }
  }

  private final SchedulerOptions options;
  private final RequestStore store;
  private final RewardSource pay;
  private final DeviceConditions device;
  private final Map<String, Carrier> carriers;
  private final InstantSource clock;
  private final SplittableRandom random;
  private final PayForecast forecast = new PayForecast();
  private final Eligibility odds;
  private final Map<String, Plan> plans = new HashMap<>();
  private final List<Consumer<Receipt>> listeners = new CopyOnWriteArrayList<>();
  private long nextPayFetchMs = Long.MIN_VALUE;
  private long pacedUntilMs = Long.MIN_VALUE;
  private ScheduledExecutorService thread;
  private ScheduledFuture<?> next;

  /**
   * @param carriers by request kind ({@link Contributions#KIND}, and the app's own for uploads and downloads)
   * @param seed     of the draws that spread requests (a device's own: its id's hash will do)
   */
  public DeviceScheduler(SchedulerOptions options, RequestStore store, RewardSource pay, DeviceConditions device,
                         Map<String, Carrier> carriers, InstantSource clock, long seed) {
    this.options = options;
    this.store = store;
    this.pay = pay;
    this.device = device;
    this.carriers = Map.copyOf(carriers);
    this.clock = clock;
    this.random = new SplittableRandom(seed);
    this.odds = new Eligibility(options.learning());
  }

  /**
   * Keeps a request until it ends; once this returns it survives a crash of the app. A REALTIME
   * request is carried at once when the scheduler runs on its own thread.
   *
   * @return false when a request with this id is already kept or ended (nothing changes)
   * @throws RequestStore.QueueFullException past the store's bounds
   */
  public boolean submit(DataRequest request) {
    if (!carriers.containsKey(request.kind())) {
      throw new IllegalArgumentException("no carrier for requests of kind '" + request.kind() + "'; known: "
        + carriers.keySet());
    }
    boolean added = store.put(request);
    if (added && request.requestClass() == RequestClass.REALTIME) {
      wake();
    }
    return added;
  }

  /** Called with each request's receipt as it ends. */
  public void onEnded(Consumer<Receipt> listener) {
    listeners.add(listener);
  }

  public Optional<Receipt> receipt(String id) {
    return store.receipt(id);
  }

  /** What is waiting and when it is to go, soonest first. */
  public synchronized List<Planned> planned() {
    List<Planned> out = new ArrayList<>();
    for (DataRequest r : store.pending()) {
      Plan p = plans.get(r.id());
      if (p != null) {
        out.add(new Planned(r.id(), r.requestClass(), p.choice.at(), p.choice.multiplier(), r.deadline()));
      }
    }
    out.sort(Comparator.comparing(Planned::at));
    return out;
  }

  /**
   * Looks at the device and the queue once: reads the pay when a new window began, learns how the
   * device is now, places what is new and carries what is due and allowed.
   *
   * @return when it wants to look again
   */
  public synchronized Instant tick() {
    long now = clock.millis();
    refreshPay(now);
    Conditions c = device.now();
    if (forecast.known()) {
      odds.observe(forecast.slot(now / forecast.windowMs()), forecast.slots(), c, options);
    }
    List<DataRequest> pending = new ArrayList<>(store.pending());
    if (plans.size() > pending.size()) {
      plans.keySet().retainAll(pending.stream().map(DataRequest::id).collect(java.util.stream.Collectors.toSet()));
    }
    int started = 0;
    long wake = now + options.tick().toMillis();
    pending.sort(Comparator.comparingLong(r -> plan(r, now).choice.atMs()));
    for (DataRequest r : pending) {
      Plan p = plan(r, now);
      if (p.choice.atMs() > now) {
        wake = Math.min(wake, p.choice.atMs());
        continue;
      }
      boolean urgent = now >= r.deadline().toEpochMilli() - options.deadlineGuard().toMillis();
      if (!options.allows(r.requestClass(), c, r.size()) && !(urgent && c.online() && c.maxBytesPerSecond() > 0)) {
        if (now >= p.choice.untilMs()) {
          p.choice = place(r, now);
          p.draws++;
          wake = Math.min(wake, Math.max(now + 1, p.choice.atMs()));
        }
        // Look again by the time it becomes urgent, even if that is sooner than the next tick.
        wake = Math.min(wake, Math.max(now + 1, r.deadline().toEpochMilli() - options.deadlineGuard().toMillis()));
        continue;
      }
      if (pacedUntilMs > now) {
        wake = Math.min(wake, pacedUntilMs);
        break;
      }
      if (started++ == options.maxPerTick()) {
        wake = now;
        break;
      }
      carry(r, p, c);
    }
    return Instant.ofEpochMilli(Math.max(wake, now));
  }

  /** Runs {@link #tick()} on a thread of its own until {@link #close()}. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "netflow-device-scheduler");
      t.setDaemon(true);
      return t;
    });
    wake();
  }

  @Override
  public synchronized void close() {
    if (thread != null) {
      thread.shutdownNow();
      thread = null;
    }
  }

  private synchronized void wake() {
    if (thread == null) {
      return;
    }
    if (next != null) {
      next.cancel(false);
    }
    next = thread.schedule(this::tickAndSleep, 0, TimeUnit.MILLISECONDS);
  }

  private void tickAndSleep() {
    long delay;
    try {
      delay = Math.max(0, tick().toEpochMilli() - clock.millis());
    } catch (RuntimeException e) {
      // A failing store or carrier must not stop the scheduler: look again after a tick.
      delay = options.tick().toMillis();
    }
    synchronized (this) {
      if (thread != null) {
        next = thread.schedule(this::tickAndSleep, delay, TimeUnit.MILLISECONDS);
      }
    }
  }

  private Plan plan(DataRequest r, long now) {
    return plans.computeIfAbsent(r.id(), id -> new Plan(place(r, now)));
  }

  private Placement.Choice place(DataRequest r, long now) {
    return Placement.place(r, now, forecast, odds, options, random.nextDouble(), random.nextDouble());
  }

  private void carry(DataRequest r, Plan p, Conditions c) {
    Carrier.Result result = carriers.get(r.kind()).carry(r);
    long at = clock.millis();
    if (c.maxBytesPerSecond() < Long.MAX_VALUE) {
      pacedUntilMs = Math.max(pacedUntilMs, at) + r.size() * 1_000 / Math.max(1, c.maxBytesPerSecond());
    }
    if (result instanceof Carrier.Done done) {
      end(new Receipt(r.id(), r.kind(), true, Instant.ofEpochMilli(at), at <= r.deadline().toEpochMilli(), done.receipt()));
    } else if (result instanceof Carrier.Refused refused) {
      end(new Receipt(r.id(), r.kind(), false, Instant.ofEpochMilli(at), at <= r.deadline().toEpochMilli(),
        JSON.createObjectNode().put("code", refused.error().code()).put("error", refused.error().error())
          .put("message", refused.error().getMessage())));
    } else if (result instanceof Carrier.Later later) {
      Duration wait = later.after() != null ? later.after() : options.retry();
      long retryAt = at + Math.max(1, wait.toMillis());
      p.choice = new Placement.Choice(retryAt, retryAt + options.tick().toMillis(), p.choice.multiplier());
    }
  }

  private void end(Receipt receipt) {
    store.end(receipt);
    plans.remove(receipt.id());
    listeners.forEach(l -> l.accept(receipt));
  }

  /** Reads the pay once per reward window, at a moment of its own in the window's first tenth (not all devices at once). */
  private void refreshPay(long now) {
    if (now < nextPayFetchMs) {
      return;
    }
    try {
      boolean first = !forecast.known();
      forecast.update(pay.fetch());
      if (first) {
        plans.clear(); // placed while the pay was unknown: place them again, knowing it
      }
      long windowMs = forecast.windowMs();
      nextPayFetchMs = (now / windowMs + 1) * windowMs + (long) (random.nextDouble() * windowMs / 10);
    } catch (IOException e) {
      nextPayFetchMs = now + options.retry().toMillis();
    }
  }
}
