package io.netflow.models.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.models.ModelManifest;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutTest {

  private static ModelManifest manifest(int chunks) {
    String h = "0".repeat(64);
    return new ModelManifest("m", "v1", chunks * 1024L, 1024, Collections.nCopies(chunks, h), h, "k", "s");
  }

  private static BitSet all(int n) {
    BitSet b = new BitSet();
    b.set(0, n);
    return b;
  }

  @Test
  void everySeedWithRoomIsAskedAtOnce() {
    Rollout r = new Rollout(manifest(40), new BitSet(), "me");
    for (String p : List.of("a", "b", "c")) {
      r.peerHolds(p, all(40));
    }
    Map<String, Integer> asked = new HashMap<>();
    Rollout.Pick pick;
    while ((pick = r.next(2)) != null) {
      r.started(pick);
      asked.merge(pick.peer(), 1, Integer::sum);
    }
    assertThat(asked).containsOnly(Map.entry("a", 2), Map.entry("b", 2), Map.entry("c", 2));
  }

  @Test
  void aChunkOnlyTheOriginHoldsGoesToOneDesignatedFetcher() {
    Set<Integer> fromOrigin = new HashSet<>();
    int duplicates = 0;
    for (String me : List.of("x", "y", "z")) {
      Rollout r = new Rollout(manifest(300), new BitSet(), me);
      r.peerHolds("origin", all(300));
      for (String other : List.of("x", "y", "z")) {
        if (!other.equals(me)) {
          r.peerHolds(other, new BitSet());
        }
      }
      Rollout.Pick pick;
      while ((pick = r.next(1000)) != null) {
        r.started(pick);
        duplicates += fromOrigin.add(pick.chunk()) ? 0 : 1;
      }
    }
    assertThat(duplicates).isZero();
    assertThat(fromOrigin).hasSize(300);
  }

  @Test
  void aFetcherThatIsGoneIsNotWaitedFor() {
    Rollout r = new Rollout(manifest(50), new BitSet(), "me");
    r.peerHolds("origin", all(50));
    r.peerHolds("ghost", new BitSet());
    int picked = 0;
    Rollout.Pick pick;
    while ((pick = r.next(1000, peer -> !peer.equals("ghost"))) != null) {
      r.started(pick);
      picked++;
    }
    // With the ghost alive, about half would be left to it; gone, every chunk is this node's.
    assertThat(picked).isEqualTo(50);
  }

  @Test
  void aSeedIsNotAskedForWhatAPeerStillFetchingHolds() {
    Rollout r = new Rollout(manifest(10), new BitSet(), "me");
    r.peerHolds("origin", all(10));
    BitSet half = new BitSet();
    half.set(0, 10);
    half.clear(9);
    r.peerHolds("leecher", half);
    Rollout.Pick pick;
    while ((pick = r.next(100)) != null) {
      r.started(pick);
      if (pick.peer().equals("origin")) {
        assertThat(pick.chunk()).isEqualTo(9);
      }
    }
  }
}
