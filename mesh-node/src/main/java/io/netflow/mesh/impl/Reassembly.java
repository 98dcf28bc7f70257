package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.lanes.Link;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Puts chunked envelopes back together. Chunks of one envelope travel in one lane of one link, so
 * they arrive in order; a missing chunk only happens when the sender gave up, and the partial
 * envelope is dropped at its deadline. Bounded in bytes. Not thread-safe.
 */
final class Reassembly {

  private static final class Partial {
    final Buffer bytes = Buffer.buffer();
    final long deadlineMillis;
    int next;

    Partial(long deadlineMillis) {
      this.deadlineMillis = deadlineMillis;
    }
  }

  private final long maxBytes;
  private final int maxPayloadBytes;
  private final Map<String, Partial> partials = new HashMap<>();
  private long heldBytes;

  Reassembly(long maxBytes, int maxPayloadBytes) {
    this.maxBytes = maxBytes;
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /**
   * Adds a chunk; returns the whole envelope when this was its last chunk, else null.
   *
   * @throws MeshException MALFORMED for a bad or out-of-order chunk, TOO_LARGE past the limits
   */
  Envelope add(Envelope chunk) {
    String header = chunk.headers().get(Link.CHUNK_HEADER);
    int slash = header.indexOf('/');
    int index;
    int count;
    try {
      index = Integer.parseInt(header.substring(0, slash));
      count = Integer.parseInt(header.substring(slash + 1));
    } catch (RuntimeException e) {
      throw new MeshException(ErrorCode.MALFORMED, "bad chunk header '" + header + "'");
    }
    String key = chunk.origin() + "/" + chunk.id();
    Partial p = index == 0 ? new Partial(chunk.deadlineMillis()) : partials.get(key);
    if (p == null || p.next != index || index >= count) {
      drop(key);
      throw new MeshException(ErrorCode.MALFORMED, "chunk " + header + " of " + chunk.id() + " out of order");
    }
    if (index == 0) {
      drop(key);
      partials.put(key, p);
    }
    int length = chunk.payload().length();
    if (p.bytes.length() + length > maxPayloadBytes || heldBytes + length > maxBytes) {
      drop(key);
      throw new MeshException(ErrorCode.TOO_LARGE, "chunked envelope " + chunk.id() + " is over the limit");
    }
    p.bytes.appendBuffer(chunk.payload());
    heldBytes += length;
    p.next++;
    if (p.next < count) {
      return null;
    }
    drop(key);
    Map<String, String> headers = new HashMap<>(chunk.headers());
    headers.remove(Link.CHUNK_HEADER);
    return new Envelope(chunk.id(), chunk.service(), chunk.topic(), chunk.key(), chunk.priority(),
      chunk.deadlineMillis(), chunk.origin(), headers, p.bytes);
  }

  /** Drops partial envelopes whose deadline has passed. */
  void expire(long nowMillis) {
    for (Iterator<Map.Entry<String, Partial>> it = partials.entrySet().iterator(); it.hasNext(); ) {
      Partial p = it.next().getValue();
      if (p.deadlineMillis < nowMillis) {
        heldBytes -= p.bytes.length();
        it.remove();
      }
    }
  }

  private void drop(String key) {
    Partial p = partials.remove(key);
    if (p != null) {
      heldBytes -= p.bytes.length();
    }
  }
}
