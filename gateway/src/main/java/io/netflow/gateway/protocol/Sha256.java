package io.netflow.gateway.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one hash on the wire: of API keys (stored hashed), model chunks and files (their
 * manifests and ETags), contributions (their declared digest). Hex is lowercase.
 */
public final class Sha256 {

  // MessageDigest instances are not thread-safe and costly to look up: one per thread.
  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Sha256::newDigest);

  private Sha256() {
  }

  /** The digest of {@code bytes}. */
  public static byte[] of(byte[] bytes) {
    return DIGEST.get().digest(bytes);
  }

  /** The digest of a string's UTF-8 bytes. */
  public static byte[] of(String s) {
    return of(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The digest of {@code bytes}, in hex. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(of(bytes));
  }

  /** The digest of a string's UTF-8 bytes, in hex. */
  public static String hex(String s) {
    return HexFormat.of().formatHex(of(s));
  }

  /** The digest of everything {@code in} yields, in hex (blocking: read off the event loop). */
  public static String hex(InputStream in) throws IOException {
    MessageDigest d = newDigest();
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      d.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** A digest of its own, for callers that feed it piece by piece. */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}
