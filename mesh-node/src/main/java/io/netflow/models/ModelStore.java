package io.netflow.models;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.gateway.protocol.Sha256;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Model versions on a node's disk: {@code <root>/<name>/<version>/manifest.json} and
 * {@code model.bin} (written chunk by chunk at their offsets), and {@code <root>/<name>/ACTIVE}
 * naming the active version (replaced atomically). Every method blocks: call it from a worker.
 */
public final class ModelStore {

  private static final String MANIFEST = "manifest.json";
  private static final String DATA = "model.bin";
  private static final String ACTIVE = "ACTIVE";

  private final Path root;

  public ModelStore(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path file(ModelManifest m) {
    return dir(m).resolve(DATA);
  }

  private Path dir(ModelManifest m) {
    return root.resolve(m.name()).resolve(m.version());
  }

  /**
   * Makes room for a version: its directory, manifest and a file of the right size.
   *
   * @return whether a file was already there (so it may hold chunks worth scanning)
   */
  public boolean prepare(ModelManifest m) {
    try {
      boolean existed = Files.exists(file(m));
      Files.createDirectories(dir(m));
      Files.writeString(dir(m).resolve(MANIFEST), m.toJson().encodePrettily());
      try (FileChannel ch = FileChannel.open(file(m), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        if (ch.size() != m.size()) {
          ch.truncate(Math.min(ch.size(), m.size()));
          ch.write(ByteBuffer.wrap(new byte[]{0}), m.size() - 1);
        }
      }
      return existed;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Moves a verified upload into place as the version's data. */
  public void adopt(ModelManifest m, Path upload) {
    try {
      Files.createDirectories(dir(m));
      Files.move(upload, file(m), StandardCopyOption.REPLACE_EXISTING);
      Files.writeString(dir(m).resolve(MANIFEST), m.toJson().encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The chunks of a version already on disk and matching their hashes: what a restart resumes from. */
  public BitSet scan(ModelManifest m) {
    BitSet have = new BitSet(m.chunkCount());
    if (!Files.exists(file(m))) {
      return have;
    }
    try (FileChannel ch = FileChannel.open(file(m), StandardOpenOption.READ)) {
      if (ch.size() != m.size()) {
        return have;
      }
      for (int i = 0; i < m.chunkCount(); i++) {
        ByteBuffer b = ByteBuffer.allocate(m.chunkLength(i));
        ch.read(b, (long) i * m.chunkSize());
        if (Sha256.hex(b.array()).equals(m.chunkSha256().get(i))) {
          have.set(i);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return have;
  }

  public void writeChunk(ModelManifest m, int index, Buffer bytes) {
    try (FileChannel ch = FileChannel.open(file(m), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes.getBytes()), (long) index * m.chunkSize());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Buffer readChunk(ModelManifest m, int index) {
    try (FileChannel ch = FileChannel.open(file(m), StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(m.chunkLength(index));
      ch.read(b, (long) index * m.chunkSize());
      return Buffer.buffer(b.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the whole file hashes to the manifest's SHA-256. */
  public boolean verifyWhole(ModelManifest m) {
    try (InputStream in = Files.newInputStream(file(m))) {
      return Sha256.hex(in).equals(m.sha256());
    } catch (IOException e) {
      return false;
    }
  }

  /** Manifests of every version on disk. */
  public List<ModelManifest> local() {
    List<ModelManifest> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> files = Files.find(root, 3, (p, a) -> p.getFileName().toString().equals(MANIFEST))) {
      for (Path p : files.toList()) {
        try {
          out.add(ModelManifest.fromJson(new JsonObject(Files.readString(p))));
        } catch (RuntimeException | IOException skipped) {
          // a damaged manifest: the version is fetched again from the cluster's copy
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Makes {@code version} the active one of {@code name}, atomically. */
  public void activate(String name, String version) {
    try {
      Path dir = root.resolve(name);
      Path tmp = Files.writeString(dir.resolve(ACTIVE + ".tmp"), version);
      Files.move(tmp, dir.resolve(ACTIVE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Optional<String> active(String name) {
    Path p = root.resolve(name).resolve(ACTIVE);
    try {
      return Files.exists(p) ? Optional.of(Files.readString(p).trim()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Deletes the oldest versions of {@code name} beyond {@code keep}, never one in {@code protect}. */
  public List<String> prune(String name, int keep, List<String> protect) {
    List<String> deleted = new ArrayList<>();
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      return deleted;
    }
    try (Stream<Path> versions = Files.list(dir)) {
      List<Path> byAge = versions.filter(Files::isDirectory)
        .sorted(Comparator.comparingLong(ModelStore::modified).reversed()).toList();
      for (int i = keep; i < byAge.size(); i++) {
        String v = byAge.get(i).getFileName().toString();
        if (!protect.contains(v)) {
          deleteTree(byAge.get(i));
          deleted.add(v);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return deleted;
  }

  /** Cuts a file into chunks and hashes them: the manifest of a new version, unsigned. */
  public static ModelManifest describe(Path file, String name, String version, int chunkSize) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); InputStream whole = Files.newInputStream(file)) {
      long size = ch.size();
      if (size == 0) {
        throw new MeshException(ErrorCode.INTEGRITY, "model file is empty");
      }
      List<String> chunks = new ArrayList<>();
      for (long off = 0; off < size; off += chunkSize) {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(chunkSize, size - off));
        ch.read(b, off);
        chunks.add(Sha256.hex(b.array()));
      }
      return new ModelManifest(name, version, size, chunkSize, chunks, Sha256.hex(whole), "", "").checkShape();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> all = Files.walk(p)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
