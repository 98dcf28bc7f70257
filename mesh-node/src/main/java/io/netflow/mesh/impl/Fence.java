package io.netflow.mesh.impl;

import io.netflow.gateway.protocol.Envelope;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a node that never had a CRITICAL/HIGH request does with it when asked back: it refuses the
 * request's id until {@code untilMillis} (epoch ms, the request's deadline, past which any copy is
 * refused anyway) to every copy but the one carrying {@code pass}, the copy the asker routes on.
 * A first copy still on its way (from a killed edge, or an attempt that timed out) is then refused
 * where it lands late, and only the asker's copy is applied. The newest asker's pass wins: a
 * node asked again by another copy refuses the earlier asker's from then on.
 *
 * @param untilMillis when the fence ends (epoch ms)
 * @param pass        random, unguessable; the routed copy carries it in {@link #PASS_HEADER}
 */
public record Fence(long untilMillis, String pass) {

  /** The envelope header a routed copy carries its fence's pass in; taken off before the service sees it. */
  public static final String PASS_HEADER = "nf-pass";

  /** A fence for {@code e} until its deadline, with a fresh pass. */
  static Fence of(Envelope e) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return new Fence(e.deadlineMillis(), Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()));
  }

  /** {@code e} carrying this fence's pass, so the fenced nodes take it. */
  Envelope admit(Envelope e) {
    Map<String, String> headers = new HashMap<>(e.headers());
    headers.put(PASS_HEADER, pass);
    return e.withHeaders(headers);
  }

  /** Whether {@code e} carries this fence's pass. */
  boolean admits(Envelope e) {
    return pass.equals(e.headers().get(PASS_HEADER));
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
