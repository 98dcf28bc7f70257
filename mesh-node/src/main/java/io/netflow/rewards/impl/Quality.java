package io.netflow.rewards.impl;

import io.netflow.rewards.Contribution;
import java.util.zip.Deflater;

/**
 * Scores a contribution's quality in [0.05, 1] and turns it into points. Inline data is scored by
 * how well it compresses: padding, repeats and filler compress to almost nothing and score low,
 * real traces and frames score high. Data given only by reference cannot be judged here and
 * scores {@link #UNVERIFIED}.
 */
public final class Quality {

  /** The score of data given by reference, or too short to judge. */
  public static final double UNVERIFIED = 0.5;

  /** Below this many bytes the compression ratio says nothing. */
  static final int MIN_JUDGED_BYTES = 64;

  private Quality() {
  }

  public static double score(Contribution c) {
    byte[] data = c.payload();
    if (data == null || data.length < MIN_JUDGED_BYTES) {
      return UNVERIFIED;
    }
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    deflater.setInput(data);
    deflater.finish();
    byte[] out = new byte[8192];
    long compressed = 0;
    while (!deflater.finished()) {
      compressed += deflater.deflate(out);
    }
    deflater.end();
    double ratio = compressed / (double) data.length;
    return Math.round(Math.max(0.05, Math.min(1.0, ratio)) * 1000) / 1000.0;
  }

  /**
   * Points for a contribution: base points of its type per KiB, with diminishing returns on size
   * ({@code log2(1 + KiB)}), times quality and the window's multiplier; at least 1.
   */
  public static long points(long basePoints, long size, double quality, double multiplier) {
    double kib = size / 1024.0;
    return Math.max(1, Math.round(basePoints * (Math.log1p(kib) / Math.log(2)) * quality * multiplier));
  }
}
