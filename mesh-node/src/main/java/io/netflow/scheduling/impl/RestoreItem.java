package io.netflow.scheduling.impl;

import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.EntryProcessor;
import io.vertx.core.json.JsonObject;
import java.io.Serial;
import java.util.Map;

/**
 * Puts a journaled record back where its item is kept, in one step on the partition's owner: when
 * the item is missing or held at an older revision, with the time to live it has left; otherwise it
 * leaves the item alone, so replays from several nodes' journals merge to the newest. Returns
 * whether it stored the record; the backups get exactly what it stored.
 */
final class RestoreItem implements EntryProcessor<String, HazelcastJsonValue, Boolean> {

  @Serial
  private static final long serialVersionUID = 1L;

  private final String record;
  private final long rev;
  private final long ttlMs;
  private transient boolean stored;

  /** @param ttlMs how long a finished item has left to be kept; 0 for an unfinished one (kept) */
  RestoreItem(JsonObject record, long ttlMs) {
    this.record = record.encode();
    this.rev = record.getLong(WorkStore.REV, 0L);
    this.ttlMs = ttlMs;
  }

  @Override
  public Boolean process(Map.Entry<String, HazelcastJsonValue> entry) {
    HazelcastJsonValue held = entry.getValue();
    stored = held == null || new JsonObject(held.getValue()).getLong(WorkStore.REV, 0L) < rev;
    if (stored) {
      CopyToBackup.store(entry, record, ttlMs);
    }
    return stored;
  }

  @Override
  public EntryProcessor<String, HazelcastJsonValue, Boolean> getBackupProcessor() {
    return stored ? new CopyToBackup<>(record, ttlMs) : null;
  }
}
