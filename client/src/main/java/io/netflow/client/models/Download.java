package io.netflow.client.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netflow.client.MeshHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.BitSet;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One version's download: chunk by chunk into {@code model.bin.part}, each chunk checked against
 * the signed manifest as it arrives, in ranges of up to {@code rangeBytes} with {@code If-Range}.
 * What is already there and verifies is kept, so a download cut anywhere (a dropped connection, the
 * app killed) resumes where it stopped.
 *
 * <p>Every range is asked of the sources in the order the mesh advised, the first one first: a
 * source that answers busy (503 or 429: its device budget is spent for now) passes that one range
 * to the next, and the device comes back to its first source for the next range, so a fleet keeps
 * the spread the mesh gave it instead of drifting onto whichever nodes were busy least recently.
 * When every source is busy the device waits the least {@code Retry-After} they asked for (at most
 * {@link #MAX_WAIT_MS}), {@link #MAX_BUSY_ROUNDS} times at most. A source that fails
 * {@link #MAX_FAILURES} times (a connection cut, a chunk that does not verify) is left out.
 */
final class Download {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_FAILURES = 3;
  static final int MAX_BUSY_ROUNDS = 60;
  static final long MAX_WAIT_MS = 5_000;

  /** A source that has no room for now. */
  private static final class Busy extends Exception {
    final long retryAfterMs;

    Busy(long retryAfterMs) {
      super(null, null, false, false);
      this.retryAfterMs = retryAfterMs;
    }
  }

  private final HttpClient http;
  private final SignedManifest m;
  private final ModelSync.Options options;
  private final Path dir;
  private final Path part;

  Download(HttpClient http, SignedManifest m, ModelSync.Options options, Path dir) {
    this.http = http;
    this.m = m;
    this.options = options;
    this.dir = dir;
    this.part = dir.resolve("model.bin.part");
  }

  /** Downloads what is missing from {@code sources} (best first), then verifies the whole. */
  void run(List<URI> sources) {
    try {
      Files.createDirectories(dir);
      try (RandomAccessFile file = new RandomAccessFile(part.toFile(), "rw")) {
        file.setLength(m.size());
        BitSet have = held(file);
        fetchAll(new ArrayList<>(sources), file, have);
      }
      if (!sha256(part).equals(m.sha256())) {
        Files.delete(part);
        throw new ModelSyncException(m.name() + "/" + m.version() + " does not hash to its manifest's SHA-256");
      }
      Files.move(part, dir.resolve("model.bin"), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelSyncException("interrupted", e);
    }
  }

  /** Every missing range, each from the first source that has room for it. */
  private void fetchAll(List<URI> live, RandomAccessFile file, BitSet have) throws InterruptedException {
    Map<URI, Integer> failures = new HashMap<>();
    StringBuilder why = new StringBuilder();
    int perRange = Math.max(1, options.rangeBytes() / m.chunkSize());
    int busyRounds = 0;
    for (int first = have.nextClearBit(0); first < m.chunkCount(); first = have.nextClearBit(first)) {
      int last = first;
      while (last + 1 < m.chunkCount() && !have.get(last + 1) && last + 1 - first < perRange) {
        last++;
      }
      long wait = MAX_WAIT_MS;
      boolean busy = true;
      for (URI source : List.copyOf(live)) {
        try {
          range(source, file, have, first, last);
          busy = false;
          break;
        } catch (Busy b) {
          wait = Math.min(wait, Math.max(1, b.retryAfterMs));
        } catch (IOException | ModelSyncException e) {
          // What it delivered before failing verified and is kept; the next round goes on from there.
          why.append("; ").append(source).append(": ").append(e.getMessage());
          if (failures.merge(source, 1, Integer::sum) >= MAX_FAILURES) {
            live.remove(source);
          }
          busy = false;
          break;
        }
      }
      if (live.isEmpty()) {
        throw new ModelSyncException("could not download " + m.name() + "/" + m.version() + " (" + have.cardinality()
          + " of " + m.chunkCount() + " chunks)" + why);
      }
      if (!busy) {
        busyRounds = 0;
      } else if (++busyRounds > MAX_BUSY_ROUNDS) {
        throw new ModelSyncException("every source stayed busy for " + m.name() + "/" + m.version() + " ("
          + have.cardinality() + " of " + m.chunkCount() + " chunks)");
      } else {
        Thread.sleep(wait);
      }
    }
  }

  /** The chunks of the partial file that already hash right. */
  private BitSet held(RandomAccessFile file) throws IOException {
    BitSet have = new BitSet(m.chunkCount());
    byte[] buf = new byte[m.chunkSize()];
    for (int i = 0; i < m.chunkCount(); i++) {
      int len = m.chunkLength(i);
      file.seek((long) i * m.chunkSize());
      file.readFully(buf, 0, len);
      if (hex(digest().digest(java.util.Arrays.copyOf(buf, len))).equals(m.chunkSha256().get(i))) {
        have.set(i);
      }
    }
    return have;
  }

  /** The wait a busy answer asked for: its body's {@code retryAfterMs}, else {@code Retry-After}, else a second. */
  private static long retryAfterMs(HttpResponse<InputStream> r, InputStream body) {
    try {
      long ms = JSON.readTree(body).path("retryAfterMs").asLong(0);
      if (ms > 0) {
        return ms;
      }
    } catch (IOException e) {
      // no JSON body: fall back on the header
    }
    return r.headers().firstValueAsLong("Retry-After").orElse(1) * 1_000;
  }

  private void range(URI source, RandomAccessFile file, BitSet have, int firstChunk, int lastChunk)
    throws IOException, InterruptedException, Busy {
    long from = (long) firstChunk * m.chunkSize();
    long to = (long) lastChunk * m.chunkSize() + m.chunkLength(lastChunk) - 1;
    HttpRequest req = MeshHttp.request(source).header("Authorization", "Bearer " + options.apiKey())
      .header("Range", "bytes=" + from + "-" + to).header("If-Range", "\"" + m.sha256() + "\"")
      .timeout(options.timeout()).GET().build();
    HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = r.body()) {
      if (r.statusCode() == 503 || r.statusCode() == 429) {
        throw new Busy(retryAfterMs(r, body));
      }
      if (r.statusCode() != 206 && r.statusCode() != 200) {
        throw new ModelSyncException("answered " + r.statusCode());
      }
      if (r.statusCode() == 200) {
        body.skipNBytes(from);
      }
      byte[] buf = new byte[m.chunkSize()];
      for (int i = firstChunk; i <= lastChunk; i++) {
        int len = m.chunkLength(i);
        int read = body.readNBytes(buf, 0, len);
        if (read < len) {
          throw new IOException("cut after " + (i - firstChunk) + " chunks of the range");
        }
        if (!hex(digest().digest(java.util.Arrays.copyOf(buf, len))).equals(m.chunkSha256().get(i))) {
          throw new ModelSyncException("served chunk " + i + " that does not match the signed manifest");
        }
        file.seek((long) i * m.chunkSize());
        file.write(buf, 0, len);
        have.set(i);
      }
    }
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest d = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
    }
    return hex(d.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static void deleteTree(Path p) throws IOException {
    try (Stream<Path> all = Files.walk(p)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
