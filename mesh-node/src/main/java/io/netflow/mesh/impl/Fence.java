package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.Envelope;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a node that never had a CRITICAL/HIGH request does with it when asked back: it refuses the
 * request's id until {@code untilMillis} (epoch ms), so that a copy still on its way there (from a
 * killed edge, or an attempt that timed out) is not applied after the request went elsewhere.
 *
 * <p>Two kinds. A <em>closed</em> fence ({@code pass} null) refuses every copy: it is put on a
 * node whose attempt timed out, until the request's deadline, since the copy sent there may still
 * arrive. An <em>open</em> fence lets through the one copy that carries its {@code pass} (in
 * {@link #PASS_HEADER}): a client's copy sent again through another edge fences every host it
 * asks with one, and routes on carrying it.
 *
 * <p>A node asked twice keeps one fence by a rule that does not depend on the order the questions
 * arrive in ({@link #and}): closed wins over open, and of two passes the greater, so that every
 * node asked by two copies in flight at once lets through the same one. A pass begins with the
 * asker's clock, so of two copies sent one after the other the later one's is let through.
 *
 * @param untilMillis when the fence ends (epoch ms)
 * @param pass        the pass of the copy let through, or null for none
 */
public record Fence(long untilMillis, String pass) {

  /** The envelope header a routed copy carries its fence's pass in; taken off before the service sees it. */
  public static final String PASS_HEADER = "nf-pass";

  /** A fence that refuses every copy until {@code untilMillis}. */
  public static Fence closed(long untilMillis) {
    return new Fence(untilMillis, null);
  }

  /** A fence until {@code untilMillis} that lets through the copy carrying a fresh pass. */
  static Fence open(long untilMillis) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    // Fixed width, so that passes compare as their times do, then at random.
    return new Fence(untilMillis, String.format("%012x%016x", System.currentTimeMillis(), r.nextLong()));
  }

  /** Whether this fence lets a copy through at all. */
  public boolean isOpen() {
    return pass != null;
  }

  /** The one fence a node keeps when asked with {@code other} too: the later end, closed over open, the greater pass. */
  Fence and(Fence other) {
    long until = Math.max(untilMillis, other.untilMillis);
    if (!isOpen() || !other.isOpen()) {
      return closed(until);
    }
    return new Fence(until, pass.compareTo(other.pass) >= 0 ? pass : other.pass);
  }

  /** {@code e} carrying this (open) fence's pass, so the nodes it fenced take it. */
  Envelope admit(Envelope e) {
    Map<String, String> headers = new HashMap<>(e.headers());
    headers.put(PASS_HEADER, pass);
    return e.withHeaders(headers);
  }

  /** Whether this fence lets {@code e} through: it is open, and {@code e} carries its pass. */
  boolean admits(Envelope e) {
    return pass != null && pass.equals(e.headers().get(PASS_HEADER));
  }

  /** {@code e} as its service sees it: without a pass it carries. */
  static Envelope withoutPass(Envelope e) {
    if (!e.headers().containsKey(PASS_HEADER)) {
      return e;
    }
    Map<String, String> headers = new HashMap<>(e.headers());
    headers.remove(PASS_HEADER);
    return e.withHeaders(headers);
  }
}
