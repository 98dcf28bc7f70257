package io.netflow.rewards.impl;

import io.netflow.journal.JournalFile;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * This node's append-only copy of the reward ledger: one JSON credit record per line, once each by
 * key. Every node keeps every credit (its own, forced to disk before the receipt, and its peers', as
 * they are announced and when it joins), so the ledger comes back after a restart of the whole mesh
 * from any node's disk. Thread-safe; blocking.
 */
public final class Journal implements AutoCloseable {

  private final JournalFile file;
  private final Set<String> keys = new HashSet<>();

  /** A journal at {@code file}; the file is opened on first use (blocking), never by the constructor. */
  public Journal(Path file) {
    this.file = new JournalFile(file);
  }

  /** Every record on disk, once each (by key), in the order written. */
  public synchronized List<JsonObject> replay() {
    List<JsonObject> records = new ArrayList<>();
    file.replay(record -> {
      if (keys.add(record.getString("key"))) {
        records.add(record);
      }
    });
    return records;
  }

  /** The records on disk whose key {@code wanted} holds (one read of the file). */
  public synchronized List<JsonObject> records(Set<String> wanted) {
    List<JsonObject> records = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    file.replay(record -> {
      String key = record.getString("key");
      if (wanted.contains(key) && seen.add(key)) {
        records.add(record);
      }
    });
    return records;
  }

  /** The keys of every record in the journal (a copy). */
  public synchronized Set<String> keys() {
    return new HashSet<>(keys);
  }

  /** Whether a record with this key is in the journal. */
  public synchronized boolean has(String key) {
    return keys.contains(key);
  }

  /**
   * Appends a record unless its key is already there.
   *
   * @param force whether to force it to disk before returning (a credit this node accepted)
   * @return whether it was appended
   */
  public synchronized boolean append(JsonObject record, boolean force) {
    String key = record.getString("key");
    if (!keys.add(key)) {
      return false;
    }
    try {
      file.append(record, force);
      return true;
    } catch (RuntimeException e) {
      keys.remove(key);
      throw e;
    }
  }

  public synchronized int size() {
    return keys.size();
  }

  @Override
  public synchronized void close() throws IOException {
    file.close();
  }
}
