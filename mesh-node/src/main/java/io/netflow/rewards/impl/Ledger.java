package io.netflow.rewards.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.rewards.Contribution;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reward ledger: credit records in a cluster map keyed by {@code contributor/id} (two
 * synchronous backups: any two nodes may die at once), content hashes in a second map so the same
 * data is paid once whoever sends it, and this node's {@link Journal} for restarts of the whole mesh
 * and for what a cluster merge drops ({@link #mend}). Crediting is idempotent: {@code putIfAbsent} on the key decides, once, mesh-wide.
 *
 * <p>Every method blocks on the cluster or the disk: call them off the event loop.
 */
public final class Ledger {

  public static final String CREDITS = "netflow.rewards.ledger";
  public static final String HASHES = "netflow.rewards.hashes";

  /** A credit, and whether this call made it (false: it was there already, a retry). */
  public record Outcome(JsonObject record, boolean created) {
  }

  /** Longest a sum waits for every partition to have an owner again after a member left. */
  static final long SAFE_WAIT_MS = 3_000;

  private final IMap<String, HazelcastJsonValue> credits;
  private final IMap<String, String> hashes;
  private final Journal journal;
  private final com.hazelcast.partition.PartitionService partitions;

  public Ledger(HazelcastInstance hazelcast, Journal journal) {
    this.partitions = hazelcast.getPartitionService();
    this.credits = hazelcast.getMap(CREDITS);
    this.hashes = hazelcast.getMap(HASHES);
    this.journal = journal;
  }

  /** The credit already made for this contribution (a retry), or null. Fails CONFLICT when the id holds other data. */
  public JsonObject prior(Contribution c) {
    HazelcastJsonValue prior = credits.get(c.key());
    if (prior == null) {
      return null;
    }
    JsonObject record = new JsonObject(prior.getValue());
    if (!record.getString("sha256").equals(c.sha256())) {
      throw new MeshException(ErrorCode.CONFLICT, "contribution id " + c.id() + " was already used for other data");
    }
    return record;
  }

  /**
   * Credits a contribution once: refuses data another contribution already brought (DUPLICATE),
   * returns the existing credit for a retry, else stores {@code record} and journals it to disk.
   */
  public Outcome credit(Contribution c, JsonObject record) {
    String owner = hashes.putIfAbsent(c.sha256(), c.key());
    if (owner != null && !owner.equals(c.key())) {
      throw new MeshException(ErrorCode.DUPLICATE, "this data (sha256 " + c.sha256().substring(0, 12)
        + "...) was already contributed");
    }
    String encoded = record.encode();
    HazelcastJsonValue prior = credits.putIfAbsent(c.key(), new HazelcastJsonValue(encoded));
    // Hazelcast retries a put whose member left mid-call; a retry that finds this very record
    // (credits never change once stored) is this credit, and it must still reach the journal.
    if (prior != null && !prior.getValue().equals(encoded)) {
      return new Outcome(new JsonObject(prior.getValue()), false);
    }
    journal.append(record, true);
    return new Outcome(record, true);
  }

  /** Journals a peer's credit (no forced write: the peer forced its own). */
  public void remember(JsonObject record) {
    journal.append(record, false);
  }

  /** At start: puts every journaled credit back into the cluster maps (a no-op for those there); returns how many were missing. */
  public int restore() {
    journal.replay();
    return mend();
  }

  /**
   * After this node's side of a split cluster merged into the other side, whose hand-over of the
   * cluster's maps is best effort: puts back every credit this node journaled that the map lacks
   * (one read of the map's keys, then one write for each missing credit); returns how many.
   */
  public int mend() {
    Set<String> missing = journal.keys();
    missing.removeAll(credits.keySet());
    if (missing.isEmpty()) {
      return 0;
    }
    int restored = 0;
    for (JsonObject record : journal.records(missing)) {
      hashes.putIfAbsent(record.getString("sha256"), record.getString("key"));
      if (credits.putIfAbsent(record.getString("key"), new HazelcastJsonValue(record.encode())) == null) {
        restored++;
      }
    }
    return restored;
  }

  /** Journals every credit of the cluster map this node lacks (at start, and when a peer left); returns how many. */
  public int learn() {
    int learned = 0;
    for (Map.Entry<String, HazelcastJsonValue> e : credits.entrySet()) {
      if (!journal.has(e.getKey()) && journal.append(new JsonObject(e.getValue().getValue()), false)) {
        learned++;
      }
    }
    return learned;
  }

  /** A contributor's balance and most recent credits (newest first, at most {@code limit}). */
  public JsonObject account(String contributor, int limit) {
    awaitSafe();
    List<JsonObject> all = new ArrayList<>();
    for (HazelcastJsonValue v : credits.values(Predicates.equal("contributor", contributor))) {
      all.add(new JsonObject(v.getValue()));
    }
    all.sort(Comparator.comparingLong((JsonObject r) -> r.getLong("creditedAt")).reversed());
    long balance = all.stream().mapToLong(r -> r.getLong("points")).sum();
    return new JsonObject().put("contributor", contributor).put("balance", balance)
      .put("contributions", all.size()).put("history", new JsonArray(all.subList(0, Math.min(limit, all.size()))));
  }

  /** Points credited to everyone, and how many credits. */
  public long[] totals() {
    awaitSafe();
    long points = 0;
    long n = 0;
    for (HazelcastJsonValue v : credits.values()) {
      points += new JsonObject(v.getValue()).getLong("points");
      n++;
    }
    return new long[] {points, n};
  }

  /**
   * A query scans every partition. Just after a member dies, while its partitions' backups are
   * promoted, a scan can miss credits that are safely held (a balance read right after a kill once
   * came out one credit short). Sums wait, at most {@link #SAFE_WAIT_MS}, until every partition has
   * an owner again (read from this member's partition table: no cluster call).
   */
  private void awaitSafe() {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(SAFE_WAIT_MS);
    try {
      while (partitions.getPartitions().stream().anyMatch(p -> p.getOwner() == null) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes the journal (forcing what peers' credits it holds to disk). */
  public void close() throws java.io.IOException {
    journal.close();
  }
}
