package io.netflow.load;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;

/**
 * Measures this process's load from the JVM's management beans. Cheap enough for every report:
 * the CPU share is this process's CPU time since the last sample over the wall time since then and
 * the cores the JVM may use (its container's limit, where it has one). One clock read per sample,
 * where {@code getProcessCpuLoad} reads {@code /proc} files on every call. Used from one thread.
 */
public class LoadSampler {

  private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final int cores = Runtime.getRuntime().availableProcessors();
  private long lastCpuNanos = -1;
  private long lastWallNanos;
  private double lastShare;

  /** A sample now; {@code loopLagMs} is measured by the caller's timer. */
  public LoadSample sample(double loopLagMs) {
    MemoryUsage heap = memory.getHeapMemoryUsage();
    return new LoadSample(processCpu(System.nanoTime()), heap.getUsed(), heap.getMax(), loopLagMs);
  }

  /** The process's CPU share in [0, 1] since the last sample (0 on the first, or where the JVM cannot tell). */
  double processCpu(long wallNanos) {
    if (!(os instanceof com.sun.management.OperatingSystemMXBean sun)) {
      return 0;
    }
    long cpuNanos = sun.getProcessCpuTime();
    if (cpuNanos < 0) {
      return 0;
    }
    long wall = wallNanos - lastWallNanos;
    if (lastCpuNanos >= 0 && wall > 0) {
      lastShare = Math.min(1, Math.max(0, (double) (cpuNanos - lastCpuNanos) / wall / cores));
    }
    lastCpuNanos = cpuNanos;
    lastWallNanos = wallNanos;
    return lastShare;
  }
}
