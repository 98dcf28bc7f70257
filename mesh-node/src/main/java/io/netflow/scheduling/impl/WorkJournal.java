package io.netflow.scheduling.impl;

import io.netflow.journal.JournalFile;
import io.netflow.scheduling.WorkItem;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's copy of the mesh's work queue on its own disk: the record of every change to every
 * item (its submission, each claim, requeue and retry, its end), as stored with its revision
 * ({@link WorkStore#REV}). Every node journals every change, so any one surviving disk brings the
 * whole queue back after a restart of the mesh, each item at the latest state that disk saw: an
 * item recorded SUCCEEDED comes back SUCCEEDED and is not run again from an older line.
 *
 * <p>The file is compacted (one line per live item) once it holds more than twice that plus
 * {@value #SLACK} lines; finished items past their retention are dropped then. Thread-safe; blocking.
 */
public final class WorkJournal implements AutoCloseable {

  static final int SLACK = 10_000;

  private final JournalFile file;
  private final Map<String, Long> revs = new HashMap<>();

  public WorkJournal(Path file) {
    this.file = new JournalFile(file);
  }

  /** The latest record of every item on disk (the highest revision wins). */
  public synchronized Map<String, JsonObject> latest() {
    Map<String, JsonObject> latest = new HashMap<>();
    file.replay(record -> {
      String id = record.getString("id");
      JsonObject held = latest.get(id);
      if (id != null && (held == null || rev(held) < rev(record))) {
        latest.put(id, record);
      }
    });
    revs.clear();
    latest.forEach((id, r) -> revs.put(id, rev(r)));
    return latest;
  }

  /**
   * Appends a record unless this journal holds the item at that revision or a later one.
   *
   * @param force whether to force it to disk before returning (what this node acknowledges)
   * @return whether it was appended
   */
  public synchronized boolean append(JsonObject record, boolean force) {
    String id = record.getString("id");
    Long held = revs.get(id);
    if (held != null && held >= rev(record)) {
      return false;
    }
    file.append(record, force);
    revs.put(id, rev(record));
    return true;
  }

  /** Appends every record newer than what this journal holds of its item; returns how many. */
  public synchronized int learn(List<JsonObject> records) {
    int n = 0;
    for (JsonObject r : records) {
      if (append(r, false)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Rewrites the file with one line per item once it has grown well past that, dropping finished
   * items whose retention has passed. Returns how many lines it dropped (0 when not due).
   */
  public synchronized long compactIfDue(long retentionMs, long now) {
    long lines = file.records();
    if (lines <= 2L * revs.size() + SLACK) {
      return 0;
    }
    List<JsonObject> kept = new ArrayList<>();
    for (JsonObject r : latest().values()) {
      WorkItem item = WorkItem.fromJson(r);
      if (!item.state().finished() || item.finishedAt() + retentionMs > now) {
        kept.add(r);
      }
    }
    file.rewrite(kept);
    revs.clear();
    kept.forEach(r -> revs.put(r.getString("id"), rev(r)));
    return lines - kept.size();
  }

  /** Items this journal holds. */
  public synchronized int size() {
    return revs.size();
  }

  /** Forces appended lines to disk. */
  public synchronized void flush() throws IOException {
    file.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    file.close();
  }

  private static long rev(JsonObject record) {
    return record.getLong(WorkStore.REV, 0L);
  }
}
