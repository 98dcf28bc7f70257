package io.netflow.mesh.impl;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The answers to recent CRITICAL and HIGH envelopes by id, so a duplicate (a client's retry, or
 * the mesh's reroute after a timeout that was not a loss) gets the first answer instead of being
 * handled twice. Bounded by count, age and bytes: an answer of a megabyte weighs a megabyte, so a
 * few large answers cannot hold the node's memory; past a bound the oldest entries go first and
 * each one forgotten before its time is counted. Not thread-safe: owned by the data plane's event loop.
 */
final class Dedupe {

  /** What an entry costs beyond its id and answer: map node, entry, future, timestamps (measured, rounded up). */
  static final int ENTRY_OVERHEAD_BYTES = 160;

  private static final class Entry {
    final Future<Buffer> answer;
    final long expiresAtNanos;
    long bytes;

    Entry(Future<Buffer> answer, long expiresAtNanos, long bytes) {
      this.answer = answer;
      this.expiresAtNanos = expiresAtNanos;
      this.bytes = bytes;
    }
  }

  private final int maxEntries;
  private final long maxBytes;
  private final long ttlNanos;
  private final Runnable onEvicted;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(1024);
  private long bytes;

  /** @param onEvicted called for every entry forgotten before its time to stay under a bound */
  Dedupe(int maxEntries, long maxBytes, long ttlMillis, Runnable onEvicted) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.ttlNanos = ttlMillis * 1_000_000;
    this.onEvicted = onEvicted;
  }

  /** The answer (maybe still pending) to an envelope already seen, or null. */
  Future<Buffer> get(String id) {
    Entry e = entries.get(id);
    if (e == null) {
      return null;
    }
    if (e.expiresAtNanos < System.nanoTime()) {
      forget(id, e);
      return null;
    }
    return e.answer;
  }

  /** Remembers {@code answer} for {@code id}; once it succeeds, its body counts against the byte bound too. */
  void put(String id, Future<Buffer> answer) {
    putFor(id, answer, ttlNanos);
  }

  /** Remembers {@code answer} for {@code id} for at most {@code ttlMillis} (never past the configured time to live). */
  void put(String id, Future<Buffer> answer, long ttlMillis) {
    putFor(id, answer, Math.min(ttlNanos, TimeUnit.MILLISECONDS.toNanos(ttlMillis)));
  }

  private void putFor(String id, Future<Buffer> answer, long ttl) {
    Entry old = entries.remove(id);
    if (old != null) {
      bytes -= old.bytes;
    }
    Entry e = new Entry(answer, System.nanoTime() + ttl, ENTRY_OVERHEAD_BYTES + 2L * id.length());
    entries.put(id, e);
    bytes += e.bytes;
    trim();
    answer.onSuccess(body -> {
      if (entries.get(id) == e && body != null) {
        e.bytes += body.length();
        bytes += body.length();
        trim();
      }
    });
  }

  /** Forgets {@code id} if it still maps to {@code answer} (a handler that never answered gives its entry back). */
  void remove(String id, Future<Buffer> answer) {
    Entry e = entries.get(id);
    if (e != null && e.answer == answer) {
      forget(id, e);
    }
  }

  int size() {
    return entries.size();
  }

  /** Bytes the entries take, by the accounting above. */
  long bytes() {
    return bytes;
  }

  /** Drops expired entries from the oldest end, then the oldest live ones while over a bound. */
  private void trim() {
    long now = System.nanoTime();
    Iterator<Entry> it = entries.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      boolean expired = e.expiresAtNanos < now;
      if (!expired && entries.size() <= maxEntries && bytes <= maxBytes) {
        return;
      }
      it.remove();
      bytes -= e.bytes;
      if (!expired) {
        onEvicted.run();
      }
    }
  }

  private void forget(String id, Entry e) {
    entries.remove(id);
    bytes -= e.bytes;
  }
}
