package io.netflow.journal;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of JSON records, one per line, that survives a crash at any point: each
 * record is written after a newline, so a torn last line (a crash mid-write) ends before the next
 * record and is skipped on replay, never taken. What a node keeps on its own disk so that the mesh's
 * state comes back after a restart of every node (the reward ledger, the work queue).
 *
 * <p>Blocking and thread-safe: call it off the event loop. The file is opened on first use.
 */
public final class JournalFile implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JournalFile.class);

  private final Path file;
  private FileChannel channel;
  private long records;

  public JournalFile(Path file) {
    this.file = file;
  }

  /** Reads every whole record in the order written; returns how many lines were unreadable (skipped). */
  public synchronized int replay(Consumer<JsonObject> each) {
    int torn = 0;
    records = 0;
    if (!Files.exists(file)) {
      return 0;
    }
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonObject record;
        try {
          record = new JsonObject(line);
        } catch (DecodeException | ClassCastException e) {
          torn++;
          continue;
        }
        records++;
        each.accept(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the journal " + file, e);
    }
    if (torn > 0) {
      LOG.warn("Journal {}: skipped {} unreadable line(s)", file, torn);
    }
    return torn;
  }

  /**
   * Appends a record.
   *
   * @param force whether to force it to disk before returning (what this node acknowledges)
   */
  public synchronized void append(JsonObject record, boolean force) {
    try {
      FileChannel out = channel();
      ByteBuffer line = ByteBuffer.wrap(("\n" + record.encode()).getBytes(StandardCharsets.UTF_8));
      while (line.hasRemaining()) {
        out.write(line);
      }
      if (force) {
        out.force(false);
      }
      records++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the journal " + file, e);
    }
  }

  /** Replaces the whole file with {@code kept}, atomically (a crash leaves the old file or the new one). */
  public synchronized void rewrite(Collection<JsonObject> kept) {
    Path temp = file.resolveSibling(file.getFileName() + ".compacting");
    try {
      Files.createDirectories(file.getParent());
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
        StringBuilder lines = new StringBuilder();
        for (JsonObject r : kept) {
          lines.append('\n').append(r.encode());
        }
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      closeChannel();
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      records = kept.size();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot compact the journal " + file, e);
    }
  }

  /** Records in the file (as of the last replay, plus appends since). */
  public synchronized long records() {
    return records;
  }

  /** Forces what was appended to disk. */
  public synchronized void flush() throws IOException {
    if (channel != null) {
      channel.force(false);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    flush();
    closeChannel();
  }

  private void closeChannel() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private FileChannel channel() throws IOException {
    if (channel == null) {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
    return channel;
  }
}
