package io.netflow.models.impl;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;

/**
 * One byte range of a file, as an HTTP {@code Range: bytes=...} header asks for it (RFC 9110):
 * {@code first-last}, {@code first-} (to the end) or {@code -suffix} (the last bytes). One range per
 * request; a device resumes a download by asking for what it lacks.
 *
 * @param first the first byte, from 0
 * @param last  the last byte, inclusive
 */
public record ByteRange(long first, long last) {

  /** The whole of a file of {@code size} bytes. */
  public static ByteRange whole(long size) {
    return new ByteRange(0, size - 1);
  }

  /**
   * The range a header asks for in a file of {@code size} bytes ({@code null} header: the whole file).
   *
   * @throws MeshException RANGE_NOT_SATISFIABLE (416) for a range that is malformed, starts past the
   *                       end, or names several ranges
   */
  public static ByteRange parse(String header, long size) {
    if (header == null) {
      return whole(size);
    }
    String h = header.trim();
    if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
      throw unsatisfiable(header, size);
    }
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      throw unsatisfiable(header, size);
    }
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      if (a.isEmpty()) {
        long suffix = Long.parseLong(b);
        if (suffix <= 0) {
          throw unsatisfiable(header, size);
        }
        return new ByteRange(Math.max(0, size - suffix), size - 1);
      }
      long first = Long.parseLong(a);
      long last = b.isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(b));
      if (first < 0 || first >= size || last < first) {
        throw unsatisfiable(header, size);
      }
      return new ByteRange(first, last);
    } catch (NumberFormatException e) {
      throw unsatisfiable(header, size);
    }
  }

  public long length() {
    return last - first + 1;
  }

  /** Whether this is the whole of a file of {@code size} bytes. */
  public boolean isWhole(long size) {
    return first == 0 && last == size - 1;
  }

  /** The {@code Content-Range} header of a 206 answer. */
  public String contentRange(long size) {
    return "bytes " + first + "-" + last + "/" + size;
  }

  private static MeshException unsatisfiable(String header, long size) {
    return new MeshException(ErrorCode.RANGE_NOT_SATISFIABLE, "range '" + header + "' is not one satisfiable range of "
      + size + " bytes");
  }
}
