package io.netflow.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DelayFilterTest {

  private static final long MS = 1_000_000L;

  @Test
  void nothingSeenIsZero() {
    assertThat(new DelayFilter().delay(0)).isZero();
  }

  @Test
  void aFewStallsAmongManySamplesAreIgnored() {
    DelayFilter f = new DelayFilter();
    long t = 0;
    for (int i = 0; i < 200; i++, t += MS / 2) {
      // Every tenth answer stalls (a GC pause, a busy core): the filter still reads the quiet latency.
      f.observe(i % 10 == 9 ? 8 * MS : 300_000, t);
    }
    assertThat(f.delay(t)).isEqualTo(300_000);
  }

  @Test
  void aQueueThatStandsForAWindowRaisesIt() {
    DelayFilter f = new DelayFilter();
    long t = 0;
    for (int i = 0; i < 200; i++, t += MS) {
      f.observe(300_000, t);
    }
    for (int i = 0; i < 250; i++, t += MS) {
      f.observe(6 * MS + i, t);
    }
    assertThat(f.delay(t)).isGreaterThanOrEqualTo(6 * MS);
  }

  @Test
  void sparseSamplesFallBackToTheLastFew() {
    DelayFilter f = new DelayFilter();
    long t = 0;
    long[] seen = {2 * MS, 5 * MS, 9 * MS, 3 * MS, 7 * MS};
    for (long v : seen) {
      f.observe(v, t);
      t += 1_000 * MS;
    }
    // One a second: the windows never hold enough, so the least of the last four (2 ms dropped out) decides.
    assertThat(f.delay(t)).isEqualTo(3 * MS);
  }
}
