package io.netflow.rewards.impl;

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
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's append-only copy of the reward ledger: one JSON credit record per line. Every node
 * keeps every credit (its own, forced to disk before the receipt, and its peers', as they are
 * announced and when it joins), so the ledger comes back after a restart of the whole mesh from
 * any node's disk. A torn last line (a crash mid-write) is skipped on replay. Thread-safe; blocking.
 */
public final class Journal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

  private final Path file;
  private final Set<String> keys = new HashSet<>();
  private FileChannel channel;

  /** A journal at {@code file}; the file is opened on first use (blocking), never by the constructor. */
  public Journal(Path file) {
    this.file = file;
  }

  private FileChannel channel() {
    if (channel == null) {
      try {
        Files.createDirectories(file.getParent());
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the reward journal " + file, e);
      }
    }
    return channel;
  }

  /** Every record on disk, once each (by key), in the order written. */
  public synchronized List<JsonObject> replay() {
    List<JsonObject> records = new ArrayList<>();
    int torn = 0;
    channel();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonObject record = new JsonObject(line);
          if (keys.add(record.getString("key"))) {
            records.add(record);
          }
        } catch (DecodeException | ClassCastException e) {
          torn++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the reward journal " + file, e);
    }
    if (torn > 0) {
      LOG.warn("Reward journal {}: skipped {} unreadable line(s)", file, torn);
    }
    return records;
  }

  /** Whether a record with this key is in the journal. */
  public synchronized boolean has(String key) {
    return keys.contains(key);
  }

  /**
   * Appends a record unless its key is already there.
   *
   * @param force whether to force it to disk before returning (a credit this node accepted)
   * @return whether it was appended
   */
  public synchronized boolean append(JsonObject record, boolean force) {
    if (!keys.add(record.getString("key"))) {
      return false;
    }
    try {
      // A line that starts with a newline ends any torn line before it.
      ByteBuffer line = ByteBuffer.wrap(("\n" + record.encode()).getBytes(StandardCharsets.UTF_8));
      FileChannel out = channel();
      while (line.hasRemaining()) {
        out.write(line);
      }
      if (force) {
        out.force(false);
      }
      return true;
    } catch (IOException e) {
      keys.remove(record.getString("key"));
      throw new UncheckedIOException("cannot write the reward journal " + file, e);
    }
  }

  public synchronized int size() {
    return keys.size();
  }

  @Override
  public synchronized void close() throws IOException {
    if (channel != null) {
      channel.force(false);
      channel.close();
    }
  }
}
