package io.netflow.client.models;

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
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * One version's download: chunk by chunk into {@code model.bin.part}, each chunk checked against
 * the signed manifest as it arrives, in ranges of up to {@code rangeBytes} with {@code If-Range}.
 * What is already there and verifies is kept, so a download cut anywhere (a dropped connection, the
 * app killed) resumes where it stopped. A source that fails or serves a bad chunk is left for the next.
 */
final class Download {

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

  /** Downloads what is missing, trying the sources in turn up to {@code passes} times over; then verifies the whole. */
  void run(List<URI> sources, int passes) {
    try {
      Files.createDirectories(dir);
      try (RandomAccessFile file = new RandomAccessFile(part.toFile(), "rw")) {
        file.setLength(m.size());
        BitSet have = held(file);
        StringBuilder why = new StringBuilder();
        for (int pass = 0; pass < passes && have.cardinality() < m.chunkCount(); pass++) {
          for (URI source : sources) {
            if (have.cardinality() == m.chunkCount()) {
              break;
            }
            try {
              fetch(source, file, have);
            } catch (IOException | ModelSyncException e) {
              why.append("; ").append(source).append(": ").append(e.getMessage());
            }
          }
        }
        if (have.cardinality() < m.chunkCount()) {
          throw new ModelSyncException("could not download " + m.name() + "/" + m.version() + " (" + have.cardinality()
            + " of " + m.chunkCount() + " chunks)" + why);
        }
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

  /** Fetches every missing run of chunks from one source, a range at a time. */
  private void fetch(URI source, RandomAccessFile file, BitSet have) throws IOException, InterruptedException {
    int perRange = Math.max(1, options.rangeBytes() / m.chunkSize());
    for (int first = have.nextClearBit(0); first < m.chunkCount(); first = have.nextClearBit(first)) {
      int last = first;
      while (last + 1 < m.chunkCount() && !have.get(last + 1) && last + 1 - first < perRange) {
        last++;
      }
      range(source, file, have, first, last);
      first = last + 1;
    }
  }

  private void range(URI source, RandomAccessFile file, BitSet have, int firstChunk, int lastChunk)
    throws IOException, InterruptedException {
    long from = (long) firstChunk * m.chunkSize();
    long to = (long) lastChunk * m.chunkSize() + m.chunkLength(lastChunk) - 1;
    HttpRequest req = HttpRequest.newBuilder(source).header("Authorization", "Bearer " + options.apiKey())
      .header("Range", "bytes=" + from + "-" + to).header("If-Range", "\"" + m.sha256() + "\"")
      .timeout(options.timeout()).GET().build();
    HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = r.body()) {
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
