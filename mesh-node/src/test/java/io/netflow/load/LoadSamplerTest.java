package io.netflow.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoadSamplerTest {

  @Test
  void cpuIsTheProcessShareSinceTheLastSample() {
    LoadSampler sampler = new LoadSampler();
    assertThat(sampler.processCpu(System.nanoTime())).as("nothing to compare the first sample with").isZero();
    long start = System.nanoTime();
    long spin = 0;
    while (System.nanoTime() - start < 200_000_000L) {
      spin += Long.numberOfTrailingZeros(spin + start);
    }
    double busy = sampler.processCpu(System.nanoTime());
    // This thread was busy for the whole interval: near its share of the cores (a wide margin: CI shares them).
    assertThat(busy).as("after 200 ms of spinning (%d)", spin)
      .isGreaterThanOrEqualTo(0.2 / Runtime.getRuntime().availableProcessors()).isLessThanOrEqualTo(1);
  }

  @Test
  void twoSamplesAtOneInstantKeepTheLastShare() {
    LoadSampler sampler = new LoadSampler();
    long now = System.nanoTime();
    sampler.processCpu(now - 100_000_000L);
    double share = sampler.processCpu(now);
    assertThat(sampler.processCpu(now)).isEqualTo(share);
  }
}
