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

  /** Peers in two regions: "near" ones share this node's region. */
  private static Rollout.Peers regions(Set<String> near) {
    return new Rollout.Peers() {
      @Override
      public boolean alive(String peer) {
        return true;
      }

      @Override
      public boolean near(String peer) {
        return near.contains(peer);
      }
    };
  }

  @Test
  void eachChunkCrossesIntoARegionOnceByItsDesignatedFetcher() {
    // The origin and a, b in one region; x, y, z in the other, holding nothing yet.
    Set<String> region2 = Set.of("x", "y", "z");
    Map<Integer, String> crossedBy = new HashMap<>();
    int duplicates = 0;
    for (String me : region2) {
      Rollout r = new Rollout(manifest(300), new BitSet(), me);
      r.peerHolds("origin", all(300));
      r.peerHolds("a", new BitSet());
      r.peerHolds("b", new BitSet());
      for (String other : region2) {
        if (!other.equals(me)) {
          r.peerHolds(other, new BitSet());
        }
      }
      Rollout.Pick pick;
      while ((pick = r.next(1000, regions(region2))) != null) {
        r.started(pick);
        assertThat(pick.peer()).isEqualTo("origin");
        duplicates += crossedBy.put(pick.chunk(), me) == null ? 0 : 1;
      }
    }
    assertThat(duplicates).as("chunks fetched across twice").isZero();
    assertThat(crossedBy).hasSize(300);
    assertThat(crossedBy.values().stream().distinct().count()).as("every fetcher of the region takes a share").isEqualTo(3);
  }

  @Test
  void whatThisRegionHoldsIsNeverFetchedFromAnother() {
    Set<String> near = Set.of("x");
    Rollout r = new Rollout(manifest(20), new BitSet(), "me");
    BitSet firstHalf = new BitSet();
    firstHalf.set(0, 10);
    r.peerHolds("x", firstHalf);
    BitSet everything = all(20);
    everything.clear(19);
    r.peerHolds("far-leecher", everything);
    r.peerHolds("origin", all(20));
    Rollout.Pick pick;
    Map<String, Set<Integer>> from = new HashMap<>();
    while ((pick = r.next(1000, regions(near))) != null) {
      r.started(pick);
      from.computeIfAbsent(pick.peer(), p -> new HashSet<>()).add(pick.chunk());
    }
    assertThat(from.get("x")).as("the near peer serves all it holds").containsExactlyInAnyOrderElementsOf(
      firstHalf.stream().boxed().toList());
    // The rest cross by their designated fetcher, this node or x (still fetching too): from the
    // peer there still fetching where it holds the chunk, from the origin only the one it lacks.
    Set<Integer> crossed = new HashSet<>(from.getOrDefault("far-leecher", Set.of()));
    assertThat(crossed).allMatch(c -> c >= 10 && c < 19);
    assertThat(from.getOrDefault("origin", Set.of())).isSubsetOf(19);
    crossed.addAll(from.getOrDefault("origin", Set.of()));
    assertThat(crossed.size()).as("this node's share of the ten").isBetween(2, 8);
  }

  @Test
  void regionMembersThatHaveNotAnnouncedYetStillShareTheCrossing() {
    // x and y, in this node's region, have not announced the version yet (its start): this node
    // must not take every chunk across as if it were the region's only fetcher.
    Rollout.Peers view = new Rollout.Peers() {
      @Override
      public boolean alive(String peer) {
        return true;
      }

      @Override
      public boolean near(String peer) {
        return peer.equals("x") || peer.equals("y");
      }

      @Override
      public java.util.Collection<String> region() {
        return List.of("x", "y");
      }
    };
    Rollout r = new Rollout(manifest(300), new BitSet(), "me");
    r.peerHolds("origin", all(300));
    int picked = 0;
    Rollout.Pick pick;
    while ((pick = r.next(1000, view)) != null) {
      r.started(pick);
      picked++;
    }
    assertThat(picked).as("this node's third of 300").isBetween(70, 130);
  }
}
