package io.netflow.scheduling.impl;

import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.map.EntryProcessor;
import io.netflow.scheduling.WorkItem;
import io.vertx.core.json.JsonObject;
import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * Applies one {@link WorkStore.Change} to one item where the item is kept: on the partition's owner,
 * in its partition thread, so no other change to that item runs meanwhile. Stores the next item with
 * its revision one higher, and copies exactly what it stored to the backups (not the change, which
 * may read the clock or see a backup a step behind). A change that refuses (throws) is carried back
 * whole, to be thrown on the caller's thread.
 */
final class ChangeItem implements EntryProcessor<String, HazelcastJsonValue, ChangeItem.Outcome> {

  @Serial
  private static final long serialVersionUID = 1L;

  /**
   * What a change did.
   *
   * @param record  the record as stored (JSON), or null when refused
   * @param matters whether the change is worth a journal line (anything but a lease renewal)
   * @param refused what the change threw, or null
   */
  record Outcome(String record, boolean matters, RuntimeException refused) implements Serializable {
  }

  private final WorkStore.Change change;
  private transient String written;

  ChangeItem(WorkStore.Change change) {
    this.change = change;
  }

  /** Returns null when the item is missing or the change left it alone. */
  @Override
  public Outcome process(Map.Entry<String, HazelcastJsonValue> entry) {
    written = null;
    HazelcastJsonValue raw = entry.getValue();
    if (raw == null) {
      return null;
    }
    JsonObject stored;
    WorkItem cur;
    WorkItem next;
    try {
      stored = new JsonObject(raw.getValue());
      cur = WorkItem.fromJson(stored);
      next = change.apply(cur);
    } catch (RuntimeException refused) {
      return new Outcome(null, false, refused);
    }
    if (next == null) {
      return null;
    }
    written = WorkStore.encode(next, stored.getLong(WorkStore.REV, 0L) + 1).encode();
    entry.setValue(new HazelcastJsonValue(written));
    return new Outcome(written, matters(cur, next), null);
  }

  /** Read after {@link #process} on the same instance: what it stored, or nothing when it stored nothing. */
  @Override
  public EntryProcessor<String, HazelcastJsonValue, Outcome> getBackupProcessor() {
    return written == null ? null : new CopyToBackup<>(written, 0);
  }

  /** Whether the change is worth a journal line: everything but a lease renewal. */
  static boolean matters(WorkItem before, WorkItem after) {
    return before.state() != after.state() || before.attempt() != after.attempt()
      || before.cancelRequested() != after.cancelRequested() || !Objects.equals(before.owner(), after.owner());
  }
}
