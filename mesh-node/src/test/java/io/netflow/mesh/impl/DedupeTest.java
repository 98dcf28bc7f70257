package io.netflow.mesh.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DedupeTest {

  @Test
  void answersAreBoundedInBytesNotOnlyInEntries() {
    AtomicInteger evicted = new AtomicInteger();
    Dedupe dedupe = new Dedupe(100_000, 1 << 20, 60_000, evicted::incrementAndGet);
    for (int i = 0; i < 100; i++) {
      dedupe.put("id-" + i, Future.succeededFuture(Buffer.buffer(new byte[100 * 1024])));
      assertThat(dedupe.bytes()).isLessThanOrEqualTo(1 << 20);
    }
    // Ten answers of 100 KiB fit a MiB with their bookkeeping; the oldest went first, and were counted.
    assertThat(dedupe.size()).isEqualTo(10);
    assertThat(evicted.get()).isEqualTo(90);
    assertThat(dedupe.get("id-0")).isNull();
    assertThat(dedupe.get("id-99")).isNotNull();
  }

  @Test
  void aPendingAnswerCountsWhenItArrivesAndCanBeGivenBack() {
    Dedupe dedupe = new Dedupe(10, 1 << 20, 60_000, () -> { });
    Promise<Buffer> pending = Promise.promise();
    dedupe.put("slow", pending.future());
    long before = dedupe.bytes();
    assertThat(before).isEqualTo(Dedupe.ENTRY_OVERHEAD_BYTES + 2L * "slow".length());
    pending.complete(Buffer.buffer(new byte[5_000]));
    assertThat(dedupe.bytes()).isEqualTo(before + 5_000);

    Promise<Buffer> stuck = Promise.promise();
    dedupe.put("stuck", stuck.future());
    dedupe.remove("stuck", Future.succeededFuture());  // not its answer: kept
    assertThat(dedupe.get("stuck")).isSameAs(stuck.future());
    dedupe.remove("stuck", stuck.future());
    assertThat(dedupe.get("stuck")).isNull();
    assertThat(dedupe.bytes()).isEqualTo(before + 5_000);
  }

  @Test
  void entriesExpireAndAreNotCountedAsEvictions() throws InterruptedException {
    AtomicInteger evicted = new AtomicInteger();
    Dedupe dedupe = new Dedupe(2, 1 << 20, 1, evicted::incrementAndGet);
    dedupe.put("a", Future.succeededFuture(Buffer.buffer("x")));
    Thread.sleep(5);
    assertThat(dedupe.get("a")).isNull();
    dedupe.put("b", Future.succeededFuture(Buffer.buffer("x")));
    Thread.sleep(5);
    dedupe.put("c", Future.succeededFuture(Buffer.buffer("x")));
    assertThat(dedupe.size()).isEqualTo(1);
    assertThat(evicted.get()).isZero();
  }
}
