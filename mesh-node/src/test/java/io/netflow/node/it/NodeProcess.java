package io.netflow.node.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A node running as its own JVM from the built jar, with its output in a file under target/. */
final class NodeProcess implements AutoCloseable {

  static final Path JAR = Path.of(System.getProperty("netflow.jar", "target/netflow-node.jar"));
  private static final Path LOGS = Path.of("target", "it-logs");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
  private static final Pattern HTTP_URL = Pattern.compile("HTTP (http://\\S+)");

  final String name;
  final Process process;
  final Path stdout;
  final Path stderr;
  final long startedAtNanos = System.nanoTime();

  private NodeProcess(String name, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Starts {@code java -jar netflow-node.jar args...} with {@code env} added to this environment. */
  static NodeProcess start(String name, List<String> args, Map<String, String> env) throws IOException {
    Files.createDirectories(LOGS);
    Path out = LOGS.resolve(name + ".out");
    Path err = LOGS.resolve(name + ".err");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-jar", JAR.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("NETFLOW_"));
    pb.environment().putAll(env);
    return new NodeProcess(name, pb.start(), out, err);
  }

  /** The HTTP URL from the node's start-up line, once it has printed it. */
  Optional<String> httpUrl() throws IOException {
    Matcher m = HTTP_URL.matcher(Files.readString(stdout));
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Waits until {@code /ready} answers 200; returns the milliseconds since the JVM was started. */
  long awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ": " + Files.readString(stdout) + Files.readString(stderr));
      }
      Optional<String> url = httpUrl();
      if (url.isPresent() && status(url.get() + "/ready") == 200) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAtNanos);
      }
      Thread.sleep(20);
    }
    throw new AssertionError(name + " not ready after " + timeout + ": " + Files.readString(stdout));
  }

  String get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl().orElseThrow() + path)).timeout(Duration.ofSeconds(2)).build(),
      HttpResponse.BodyHandlers.ofString()).body();
  }

  /** POSTs {@code json} to {@code path} with API key {@code key}. */
  HttpResponse<String> post(String path, String key, String json) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl().orElseThrow() + path)).timeout(Duration.ofSeconds(15))
      .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int status(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Resident memory of the process in MiB, from /proc (Linux). */
  long rssMib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }

  /** Sends a signal to the process ({@code KILL}, {@code STOP}, {@code CONT}, {@code TERM}). */
  void signal(String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor();
  }

  /** Kills the process (SIGKILL) if it is still running: every test ends with this. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      try {
        signal("CONT"); // a stopped process would not die until continued
      } catch (IOException ignored) {
        // destroyForcibly below still applies
      }
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
