package io.netflow.membership;

import io.netflow.gateway.protocol.Priority;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * How busy the whole mesh is with gameplay right now: the rate of interactive requests
 * (CRITICAL, HIGH and NORMAL) its nodes' services take, summed over the view, from the
 * {@code served} counters each report carries. The scheduler holds bulk work back while it is
 * high, and the reward planner learns the mesh's quiet windows from its history.
 *
 * <p>Each node's rate comes from its reports of about the last second (counts and receive times),
 * so the figure is the same whoever asks and however often. Thread-safe.
 */
public final class MeshLoad {

  private static final Priority[] INTERACTIVE = {Priority.CRITICAL, Priority.HIGH, Priority.NORMAL};

  private record Point(long seq, long served, long atNanos) {
  }

  /** Reports of one node over the last rate window (at least two points when it has them). */
  private static final class Series {
    final ArrayDeque<Point> points = new ArrayDeque<>();

    void add(Point p) {
      Point last = points.peekLast();
      if (last == null || p.seq() > last.seq() && p.atNanos() > last.atNanos()) {
        points.addLast(p);
      }
      // Keep one point at least a window old, so the rate spans a whole window.
      while (points.size() > 2 && p.atNanos() - second().atNanos() >= RATE_WINDOW_NANOS) {
        points.removeFirst();
      }
    }

    private Point second() {
      var it = points.iterator();
      it.next();
      return it.next();
    }

    double perSecond() {
      if (points.size() < 2) {
        return 0;
      }
      Point first = points.peekFirst();
      Point last = points.peekLast();
      return Math.max(0, last.served() - first.served()) / ((last.atNanos() - first.atNanos()) / 1e9);
    }
  }

  /** Rates are measured over about this long: long enough to smooth a late report, short enough to follow play. */
  static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final MeshView view;
  private final long peakHalfLifeNanos;
  private final Map<String, Series> rates = new HashMap<>();
  private double peak;
  private long peakAtNanos;

  /**
   * @param peakHalfLifeMillis how fast the remembered peak fades: "busy" is judged against the
   *                           recent peak, so a mesh that grew quieter for good counts as quiet
   */
  public MeshLoad(MeshView view, long peakHalfLifeMillis) {
    this.view = view;
    this.peakHalfLifeNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, peakHalfLifeMillis));
  }

  /** Interactive requests per second, mesh-wide, now. */
  public synchronized double rate() {
    long now = System.nanoTime();
    double total = 0;
    Set<String> present = new HashSet<>();
    for (MeshView.Entry e : view.entries()) {
      if (view.isStale(e)) {
        continue;
      }
      String id = e.report().nodeId();
      present.add(id);
      Series series = rates.computeIfAbsent(id, k -> new Series());
      series.add(new Point(e.report().seq(), served(e.report()), e.receivedAtNanos()));
      total += series.perSecond();
    }
    rates.keySet().retainAll(present);
    double decayed = peak * Math.pow(0.5, (now - peakAtNanos) / (double) peakHalfLifeNanos);
    if (total >= decayed) {
      peak = total;
      peakAtNanos = now;
    }
    return total;
  }

  /** The highest rate seen lately (fading with the half-life), at least the current rate. */
  public synchronized double recentPeak() {
    rate();
    return peak * Math.pow(0.5, (System.nanoTime() - peakAtNanos) / (double) peakHalfLifeNanos);
  }

  private static long served(LoadReport report) {
    long n = 0;
    JsonObject lanes = report.traffic().lanes();
    for (Priority p : INTERACTIVE) {
      JsonObject lane = lanes.getJsonObject(p.name());
      if (lane != null) {
        n += lane.getNumber("served", 0).longValue();
      }
    }
    return n;
  }
}
