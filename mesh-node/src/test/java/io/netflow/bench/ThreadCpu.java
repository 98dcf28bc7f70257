package io.netflow.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads and of the whole process at one moment. Between two of them: the
 * busiest thread's CPU per request and share of the wall clock (a thread near 1.0 bounds the rate),
 * and the whole JVM's CPU per request (with GC, the JIT, and every other thread).
 */
record ThreadCpu(Map<Long, Long> threads, Map<Long, String> names, long process, long wallNanos) {

  static ThreadCpu now() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Long> threads = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = mx.getThreadCpuTime(info.getThreadId());
      if (nanos >= 0) {
        threads.put(info.getThreadId(), nanos);
        names.put(info.getThreadId(), info.getThreadName());
      }
    }
    return new ThreadCpu(threads, names, ((com.sun.management.OperatingSystemMXBean) ManagementFactory
      .getOperatingSystemMXBean()).getProcessCpuTime(), System.nanoTime());
  }

  private Map.Entry<Long, Long> busiest(ThreadCpu earlier) {
    return threads.entrySet().stream()
      .map(e -> Map.entry(e.getKey(), e.getValue() - earlier.threads.getOrDefault(e.getKey(), 0L)))
      .max(Map.Entry.comparingByValue()).orElse(Map.entry(-1L, 0L));
  }

  /** Microseconds per request since {@code earlier}: of the busiest thread, and of the whole JVM. */
  double[] since(ThreadCpu earlier, double requests) {
    return new double[]{busiest(earlier).getValue() / 1_000.0 / requests, (process - earlier.process) / 1_000.0 / requests};
  }

  /** CPU nanoseconds thread {@code id} spent since {@code earlier}. */
  double threadNanosSince(ThreadCpu earlier, long id) {
    return threads.getOrDefault(id, 0L) - earlier.threads.getOrDefault(id, 0L);
  }

  /** The busiest thread since {@code earlier}: its name, and its CPU over the wall clock in between. */
  Map.Entry<String, Double> busiestShare(ThreadCpu earlier) {
    Map.Entry<Long, Long> b = busiest(earlier);
    return Map.entry(names.getOrDefault(b.getKey(), "?"), b.getValue() / (double) (wallNanos - earlier.wallNanos));
  }
}
