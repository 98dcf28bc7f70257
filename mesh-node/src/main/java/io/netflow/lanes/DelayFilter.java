package io.netflow.lanes;

/**
 * LEDBAT's current-delay filter (RFC 6817, section 3.4.2) over CRITICAL latencies: the least
 * latency seen in the last window (100 ms, and the one before it), or of the last few samples when
 * the windows hold fewer than that. A queue that builds up raises every sample for as long as it
 * stands; a one-off stall (a GC pause, a busy core) raises a few, and the minimum ignores them, so
 * a rate that yields to this filter yields to congestion, not to noise. Thread-safe: answers are
 * measured on any event loop.
 */
final class DelayFilter {

  /** Samples the filter wants before it trusts the windows; fewer, and the last this many decide. */
  static final int FEW = 4;
  private static final long WINDOW_NANOS = 100_000_000L;

  private final long[] latest = new long[FEW];
  private int next;
  private long windowStart = Long.MIN_VALUE;
  private long windowMin = Long.MAX_VALUE;
  private int windowCount;
  private long lastWindowMin = Long.MAX_VALUE;
  private int lastWindowCount;
  private long lastSampleAt = Long.MIN_VALUE;

  synchronized void observe(long nanos, long now) {
    long v = Math.max(1, nanos);
    latest[next] = v;
    next = (next + 1) % FEW;
    if (windowStart == Long.MIN_VALUE || now - windowStart >= WINDOW_NANOS) {
      // The window before counts only if it ended just now, not after a silence.
      boolean adjacent = windowStart != Long.MIN_VALUE && now - windowStart < 2 * WINDOW_NANOS;
      lastWindowMin = adjacent ? windowMin : Long.MAX_VALUE;
      lastWindowCount = adjacent ? windowCount : 0;
      windowStart = now;
      windowMin = Long.MAX_VALUE;
      windowCount = 0;
    }
    windowMin = Math.min(windowMin, v);
    windowCount++;
    lastSampleAt = now;
  }

  /** The filtered delay in nanoseconds, 0 before any sample. */
  synchronized long delay(long now) {
    if (lastSampleAt != Long.MIN_VALUE && now - lastSampleAt < WINDOW_NANOS && windowCount + lastWindowCount >= FEW) {
      return Math.min(windowMin, lastWindowMin);
    }
    long min = Long.MAX_VALUE;
    for (long v : latest) {
      if (v > 0) {
        min = Math.min(min, v);
      }
    }
    return min == Long.MAX_VALUE ? 0 : min;
  }
}
