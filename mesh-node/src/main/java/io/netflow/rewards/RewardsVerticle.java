package io.netflow.rewards;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netflow.gateway.auth.RateLimits;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.membership.MeshLoad;
import io.netflow.membership.MeshView;
import io.netflow.rewards.impl.Ledger;
import io.netflow.rewards.impl.Quality;
import io.netflow.rewards.impl.Schedule;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Smart rewards on this node: measures the mesh's load into the shared history, plans (and
 * publishes on {@code netflow.rewards.schedule}) the multipliers of coming windows, and credits
 * Micro Nodes' contributions, once each, at the multiplier of the window they arrive in.
 */
public final class RewardsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RewardsVerticle.class);

  private final RewardOptions options;
  private final RewardPlanner planner;
  private final Ledger ledger;
  private final Schedule schedule;
  private final MeshLoad load;
  private final MeshView view;
  private final String nodeId;
  private final MeterRegistry registry;
  private final RateLimits rates;
  private final Counter journalFailures;
  private final Counter historyFailures;
  private long window = -1;
  private double loadSum;
  private int loadSamples;

  public RewardsVerticle(RewardOptions options, Ledger ledger, Schedule schedule, MeshLoad load, MeshView view,
                         String nodeId, MeterRegistry registry) {
    this.options = options;
    this.planner = new RewardPlanner(options);
    this.ledger = ledger;
    this.schedule = schedule;
    this.load = load;
    this.view = view;
    this.nodeId = nodeId;
    this.registry = registry;
    this.journalFailures = Counter.builder("netflow.writes.failed").tag("what", "rewards-journal")
      .description("Writes that failed (logged at WARN), by what was written").register(registry);
    this.historyFailures = Counter.builder("netflow.writes.failed").tag("what", "load-history")
      .description("Writes that failed (logged at WARN), by what was written").register(registry);
    this.rates = new RateLimits(options.getRatePerMinute(), options.getRatePerMinute(), Duration.ofMinutes(1));
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>consumer(RewardAddresses.REWARDS_CREDITED, m -> {
      if (!nodeId.equals(m.body().getString("node"))) {
        vertx.executeBlocking(() -> {
          ledger.remember(m.body());
          return null;
        }, false).onFailure(err -> writeFailed(journalFailures, "a peer's credit to the journal", err));
      }
    });
    view.onRemoved(node -> vertx.executeBlocking(ledger::learn, false)
      .onSuccess(n -> LOG.debug("Journaled {} credit(s) after {} left", n, node))
      .onFailure(err -> writeFailed(journalFailures, "the ledger's missing credits to the journal", err)));
    view.onMerged(() -> {
      vertx.executeBlocking(ledger::mend, false)
        .onSuccess(n -> LOG.info("Reward ledger after a cluster merge: {} credit(s) put back from this node's journal", n))
        .onFailure(err -> writeFailed(journalFailures, "this node's journaled credits back into the ledger after a merge",
          err));
      long from = currentWindow();
      vertx.executeBlocking(() -> schedule.putBack(from), false)
        .onSuccess(n -> LOG.info("Reward schedule after a cluster merge: {} published window(s) put back", n))
        .onFailure(err -> LOG.warn("Could not put the reward schedule back after a merge: {}", err.toString()));
    });
    long sampleEvery = Math.max(50, Math.min(1_000, options.getWindowMs() / 10));
    vertx.setPeriodic(sampleEvery, id -> sampleLoad());
    vertx.setPeriodic(Math.max(100, options.getWindowMs() / 4), id -> plan());
    return vertx.executeBlocking(() -> new int[] {ledger.restore(), ledger.learn()}, false)
      .onSuccess(n -> LOG.info("Reward ledger ready: {} credit(s) restored from this node's journal, {} learned from peers",
        n[0], n[1]))
      .compose(n -> plan());
  }

  @Override
  public Future<?> stop() {
    return vertx.executeBlocking(() -> {
      ledger.close();
      return null;
    });
  }

  /** The current window's number. */
  public long currentWindow() {
    return System.currentTimeMillis() / options.getWindowMs();
  }

  /** The published schedule from the current window on: {@code {windowMs, windows: [{start, end, multiplier}]}}. */
  public Future<JsonObject> schedule() {
    if (context == null) {
      return Future.failedFuture(new MeshException(ErrorCode.NOT_READY, "rewards are starting", 1_000));
    }
    long from = currentWindow();
    return vertx.executeBlocking(() -> toJson(schedule.published(from, options.getHorizonWindows())), false);
  }

  /**
   * Credits a contribution once. A retry (same contributor and id, same data) gets the first
   * receipt again, with {@code created: false}.
   *
   * @return the receipt: the credit record and {@code created}
   */
  public Future<JsonObject> contribute(Contribution c) {
    if (context == null) {
      return Future.failedFuture(new MeshException(ErrorCode.NOT_READY, "rewards are starting", 1_000));
    }
    return vertx.executeBlocking(() -> {
      JsonObject prior = ledger.prior(c);
      if (prior != null) {
        return prior.copy().put("created", false);
      }
      takeRate(c.contributor());
      long now = System.currentTimeMillis();
      long w = now / options.getWindowMs();
      double multiplier = schedule.multiplier(planner, w, options.getHorizonWindows());
      double quality = Quality.score(c);
      long points = Quality.points(options.getTypes().get(c.type()), c.size(), quality, multiplier);
      JsonObject record = new JsonObject().put("key", c.key()).put("id", c.id()).put("contributor", c.contributor())
        .put("type", c.type()).put("size", c.size()).put("sha256", c.sha256()).put("ref", c.ref())
        .put("quality", quality).put("multiplier", multiplier).put("window", w).put("points", points)
        .put("creditedAt", now).put("node", nodeId);
      Ledger.Outcome outcome = ledger.credit(c, record);
      return outcome.record().copy().put("created", outcome.created());
    }, false).onComplete(ar -> {
      if (ar.succeeded() && ar.result().getBoolean("created")) {
        JsonObject receipt = ar.result();
        registry.counter("netflow.rewards.credited", "type", c.type()).increment();
        registry.counter("netflow.rewards.points").increment(receipt.getLong("points"));
        JsonObject record = receipt.copy();
        record.remove("created");
        vertx.eventBus().publish(RewardAddresses.REWARDS_CREDITED, record);
      } else if (ar.failed()) {
        rejected(MeshException.of(ar.cause()).code());
      }
    });
  }

  /** A write that failed is said and counted: the outcome is never dropped without a trace. */
  private static void writeFailed(Counter counter, String what, Throwable err) {
    counter.increment();
    LOG.warn("Could not write {}: {}", what, err.toString());
  }

  /** Counts a refused contribution by its code (also called for ones refused before reaching here). */
  public void rejected(ErrorCode code) {
    registry.counter("netflow.rewards.rejected", "code", code.name()).increment();
  }

  /** A contributor's balance and recent history. */
  public Future<JsonObject> account(String contributor) {
    if (context == null) {
      return Future.failedFuture(new MeshException(ErrorCode.NOT_READY, "rewards are starting", 1_000));
    }
    return vertx.executeBlocking(() -> ledger.account(contributor, 100), false);
  }

  private void takeRate(String contributor) {
    long waitNanos = rates.take(contributor);
    if (waitNanos > 0) {
      throw new MeshException(ErrorCode.RATE_LIMITED, "contributor " + contributor + " is over rewards.rate-per-minute ("
        + options.getRatePerMinute() + ")", Math.max(1, waitNanos / 1_000_000));
    }
  }

  private void sampleLoad() {
    long w = currentWindow();
    if (w != window) {
      if (window >= 0 && loadSamples > 0) {
        long done = window;
        double mean = loadSum / loadSamples;
        vertx.executeBlocking(() -> {
          schedule.recordLoad(done, mean);
          return null;
        }, false).onFailure(err -> writeFailed(historyFailures, "window " + done + "'s load to the history", err));
      }
      window = w;
      loadSum = 0;
      loadSamples = 0;
    }
    loadSum += load.rate();
    loadSamples++;
  }

  private Future<Void> plan() {
    long from = currentWindow();
    return vertx.executeBlocking(() -> schedule.plan(planner, from, options.getHorizonWindows()), false)
      .onSuccess(planned -> {
        if (!planned.isEmpty()) {
          LOG.debug("Planned reward multipliers {}", planned);
          vertx.eventBus().publish(RewardAddresses.REWARDS_SCHEDULE, toJson(planned));
        }
      })
      .onFailure(err -> LOG.warn("Planning reward multipliers failed: {}", err.toString()))
      .<Void>mapEmpty().otherwiseEmpty();
  }

  private JsonObject toJson(Map<Long, Double> multipliers) {
    JsonArray windows = new JsonArray();
    multipliers.forEach((w, m) -> windows.add(new JsonObject().put("window", w).put("start", w * options.getWindowMs())
      .put("end", (w + 1) * options.getWindowMs()).put("multiplier", m)));
    return new JsonObject().put("windowMs", options.getWindowMs()).put("periodMs", options.getPeriodMs())
      .put("now", System.currentTimeMillis())
      .put("minMultiplier", options.getMinMultiplier()).put("maxMultiplier", options.getMaxMultiplier())
      .put("windows", windows);
  }
}
