package io.netflow.models.impl;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.netflow.lanes.LaneStats;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's budget for serving model files to devices ({@code node.device-egress-bytes-per-second}):
 * a token bucket (Bucket4j) paced by one FIFO queue. A range waits its turn in the queue (for at
 * most {@code models.device-queue-ms}: past that the device is told to try another source) and is
 * released when the bucket has its bytes, taken at the moment it is released. However late a timer
 * fires on a busy machine, no second releases more than the rate: releases cannot bunch up behind
 * a stall.
 * The rate yields to players as the MODEL lane's does ({@link LatencyAimd}). It also measures what
 * it released, so that the load report tells peers how much budget is left here, and
 * {@code /active} steers devices to holders with room. Thread-safe; {@link #close()} stops its pacer.
 */
public final class DeviceEgress implements AutoCloseable {

  private record Waiting(long bytes, Runnable go) {
  }

  private final long budget;
  private final long capacity;
  private final Bucket bucket;
  private final LatencyAimd aimd;
  private final AtomicLong served = new AtomicLong();
  private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "netflow-device-egress");
    t.setDaemon(true);
    return t;
  });
  /** Ranges waiting their turn, oldest first; guarded by {@code this}. */
  private final Deque<Waiting> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean armed;
  private volatile double recentRate;
  private long windowStartNanos = System.nanoTime();
  private long windowServed;

  /**
   * @param budget   bytes per second at most
   * @param capacity the most a single request may take at once (a range of about a chunk or two):
   *                 the bucket never holds more, so no second ever sends much over the budget
   */
  public DeviceEgress(long budget, long capacity, long minRate, long targetMicros, LaneStats lanes) {
    this.budget = budget;
    this.capacity = Math.max(1, Math.min(capacity, budget));
    this.aimd = new LatencyAimd(budget, Math.min(minRate, budget), targetMicros, lanes);
    this.bucket = Bucket.builder().addLimit(limit(budget)).build();
  }

  /**
   * The bucket holds at most one range and refills at the rate less one range a second, so that no
   * second ever releases more than the rate.
   */
  private Bandwidth limit(long perSecond) {
    long refill = perSecond > 2 * capacity ? perSecond - capacity : Math.max(1, perSecond / 2);
    return Bandwidth.builder().capacity(capacity).refillGreedy(refill, Duration.ofSeconds(1))
      .initialTokens(capacity).build();
  }

  /**
   * Queues {@code bytes} of one range: {@code go} runs (on the pacer's thread: it should only hand
   * the send to the request's own context) once the bucket has them.
   *
   * @return false, with nothing queued, when more than {@code maxWaitMs} of bytes wait already (the
   *         device should try another source)
   * @throws IllegalArgumentException when {@code bytes} is more than one range may be
   */
  public synchronized boolean enqueue(long bytes, long maxWaitMs, Runnable go) {
    if (bytes > capacity) {
      throw new IllegalArgumentException(bytes + " bytes is more than a range may take (" + capacity + ")");
    }
    if (queuedBytes > 0 && (queuedBytes + bytes) * 1_000.0 / Math.max(1, aimd.rate()) > maxWaitMs) {
      return false;
    }
    queue.add(new Waiting(bytes, go));
    queuedBytes += bytes;
    if (!armed) {
      release();
    }
    return true;
  }

  /** Releases ranges in order while the bucket has their bytes; else comes back when it will. */
  private synchronized void release() {
    armed = false;
    while (!queue.isEmpty()) {
      Waiting next = queue.peek();
      ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(next.bytes());
      if (!probe.isConsumed()) {
        armed = true;
        try {
          pacer.schedule(this::release, Math.max(100_000, probe.getNanosToWaitForRefill()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
          armed = false; // the node is stopping: what waits is dropped with its connections
        }
        return;
      }
      queue.poll();
      queuedBytes -= next.bytes();
      served.addAndGet(next.bytes());
      next.go().run();
    }
  }

  /** How long the queue of ranges is now, in milliseconds (what a device is told to wait). */
  public synchronized long queuedMs() {
    return (long) (queuedBytes * 1000.0 / Math.max(1, aimd.rate()));
  }

  /** One AIMD step and rate measurement; call every 200 ms from one thread. */
  public synchronized void adjust() {
    if (aimd.step()) {
      bucket.replaceConfiguration(BucketConfiguration.builder().addLimit(limit((long) aimd.rate())).build(),
        TokensInheritanceStrategy.AS_IS);
    }
    long now = System.nanoTime();
    long total = served.get();
    double seconds = (now - windowStartNanos) / 1e9;
    if (seconds >= 1) {
      recentRate = (total - windowServed) / seconds;
      windowServed = total;
      windowStartNanos = now;
    }
  }

  /** The budget, bytes per second. */
  public long budget() {
    return budget;
  }

  /** The rate it allows now (the budget, or less while players need the links), bytes per second. */
  public double allowed() {
    return aimd.rate();
  }

  /** Bytes per second released to devices over the last second or so. */
  public double recentRate() {
    return recentRate;
  }

  /** Bytes released to devices since start. */
  public long served() {
    return served.get();
  }

  /** The largest range one request may take. */
  public long capacity() {
    return capacity;
  }

  @Override
  public void close() {
    pacer.shutdownNow();
  }
}
