package io.netflow.mesh.impl;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answers to recent CRITICAL and HIGH envelopes by id, so a duplicate (a client's retry, or
 * the mesh's reroute after a timeout that was not a loss) gets the first answer instead of being
 * handled twice. Bounded by count and age. Not thread-safe: owned by the data plane's event loop.
 */
final class Dedupe {

  private record Entry(Future<Buffer> answer, long expiresAtNanos) {
  }

  private final int maxEntries;
  private final long ttlNanos;
  private final LinkedHashMap<String, Entry> entries;

  Dedupe(int maxEntries, long ttlMillis) {
    this.maxEntries = maxEntries;
    this.ttlNanos = ttlMillis * 1_000_000;
    this.entries = new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > Dedupe.this.maxEntries || eldest.getValue().expiresAtNanos() < System.nanoTime();
      }
    };
  }

  /** The answer (maybe still pending) to an envelope already seen, or null. */
  Future<Buffer> get(String id) {
    Entry e = entries.get(id);
    if (e == null) {
      return null;
    }
    if (e.expiresAtNanos() < System.nanoTime()) {
      entries.remove(id);
      return null;
    }
    return e.answer();
  }

  void put(String id, Future<Buffer> answer) {
    entries.put(id, new Entry(answer, System.nanoTime() + ttlNanos));
  }

  int size() {
    return entries.size();
  }
}
