package io.netflow.load;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;

/** Measures this process's load from the JVM's management beans. Cheap enough for every report. */
public class LoadSampler {

  private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

  /** A sample now; {@code loopLagMs} is measured by the caller's timer. */
  public LoadSample sample(double loopLagMs) {
    MemoryUsage heap = memory.getHeapMemoryUsage();
    return new LoadSample(processCpu(), heap.getUsed(), heap.getMax(), loopLagMs);
  }

  private double processCpu() {
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      double load = sun.getProcessCpuLoad();
      return load < 0 ? 0 : load;
    }
    return 0;
  }
}
