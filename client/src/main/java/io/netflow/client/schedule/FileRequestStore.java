package io.netflow.client.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A store on the device's disk that survives app restarts and crashes: one small JSON file per
 * pending request ({@code pending/<id>.json}) and per receipt ({@code receipts/<id>.json}), each
 * written whole to {@code tmp/}, forced to disk and renamed into place, so a crash leaves either
 * the old file or the new one. A request ends by writing its receipt first, then deleting its
 * pending file: after a crash between the two, opening the store sees the receipt and drops the
 * pending copy, so a request never runs again once it ended.
 *
 * <p>Bounds: at most {@code maxPending} pending requests of {@code maxPendingBytes} in all
 * ({@link QueueFullException} past them); receipts beyond {@code maxReceipts} are forgotten
 * oldest first (their requests ended long ago; the mesh still credits an id once if it comes again).
 */
public final class FileRequestStore extends BoundedStore {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path pendingDir;
  private final Path receiptDir;
  private final Path tmpDir;

  /** Opens (creating if needed) the store under {@code dir}, reading what a previous run left. */
  public FileRequestStore(Path dir, int maxPending, long maxPendingBytes, int maxReceipts) {
    super(maxPending, maxPendingBytes, maxReceipts);
    this.pendingDir = dir.resolve("pending");
    this.receiptDir = dir.resolve("receipts");
    this.tmpDir = dir.resolve("tmp");
    try {
      Files.createDirectories(pendingDir);
      Files.createDirectories(receiptDir);
      Files.createDirectories(tmpDir);
      try (Stream<Path> leftovers = Files.list(tmpDir)) {
        for (Path p : leftovers.toList()) {
          Files.deleteIfExists(p);
        }
      }
      List<Receipt> ended = new ArrayList<>();
      Set<String> endedIds = new HashSet<>();
      for (Path p : jsonFiles(receiptDir)) {
        Receipt r = Receipt.fromJson(JSON.readTree(p.toFile()));
        ended.add(r);
        endedIds.add(r.id());
      }
      ended.sort(Comparator.comparing(Receipt::at));
      List<DataRequest> waiting = new ArrayList<>();
      for (Path p : jsonFiles(pendingDir)) {
        DataRequest r = DataRequest.fromJson(JSON.readTree(p.toFile()));
        if (endedIds.contains(r.id())) {
          Files.deleteIfExists(p); // ended just before a crash: its receipt is what counts
        } else {
          waiting.add(r);
        }
      }
      waiting.sort(Comparator.comparing(DataRequest::created));
      restore(waiting, ended);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the request store at " + dir, e);
    }
  }

  @Override
  void savePending(DataRequest request) {
    write(pendingDir, request.id(), request.toJson().toString());
  }

  @Override
  void saveReceipt(Receipt receipt, boolean wasPending) {
    write(receiptDir, receipt.id(), receipt.toJson().toString());
    if (wasPending) {
      delete(pendingDir, receipt.id());
    }
  }

  @Override
  void dropReceipt(String id) {
    delete(receiptDir, id);
  }

  private static void delete(Path dir, String id) {
    try {
      Files.deleteIfExists(file(dir, id));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file(dir, id), e);
    }
  }

  /** Writes a file whole: to tmp/, forced to disk, then renamed over the old one in one step. */
  private void write(Path dir, String id, String text) {
    Path tmp = tmpDir.resolve(id + ".json");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
      StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + tmp, e);
    }
    try {
      Files.move(tmp, file(dir, id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + tmp + " into " + dir, e);
    }
  }

  /** Makes a rename durable where the platform allows (Linux: fsync the directory; elsewhere a no-op). */
  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // not supported on this platform: the rename is as durable as the file system makes it
    }
  }

  private static Path file(Path dir, String id) {
    return dir.resolve(id + ".json");
  }

  private static List<Path> jsonFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".json")).toList();
    }
  }
}
