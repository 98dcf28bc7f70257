package io.netflow.scheduling.impl;

import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import java.io.Serial;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Stores on a backup replica exactly the record the owner stored ({@link ChangeItem},
 * {@link RestoreItem}), with the same time to live; returns nothing.
 */
final class CopyToBackup<R> implements EntryProcessor<String, HazelcastJsonValue, R> {

  @Serial
  private static final long serialVersionUID = 1L;

  private final String record;
  private final long ttlMs;

  /** @param ttlMs the record's time to live; 0 for none (the map's default, as a plain put) */
  CopyToBackup(String record, long ttlMs) {
    this.record = record;
    this.ttlMs = ttlMs;
  }

  @Override
  public R process(Map.Entry<String, HazelcastJsonValue> entry) {
    store(entry, record, ttlMs);
    return null;
  }

  /** Sets an entry's value, with a time to live when {@code ttlMs} is positive. */
  static void store(Map.Entry<String, HazelcastJsonValue> entry, String record, long ttlMs) {
    HazelcastJsonValue value = new HazelcastJsonValue(record);
    if (ttlMs > 0) {
      ((ExtendedMapEntry<String, HazelcastJsonValue>) entry).setValue(value, ttlMs, TimeUnit.MILLISECONDS);
    } else {
      entry.setValue(value);
    }
  }
}
