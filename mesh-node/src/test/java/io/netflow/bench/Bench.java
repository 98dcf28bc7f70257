package io.netflow.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Shared plumbing of the benchmarks: latency histograms, medians of runs, and the JSON report
 * each benchmark saves under {@code target/bench/}. Benchmarks print their baseline beside their
 * own figures; they assert nothing about speed.
 */
final class Bench {

  static final int RUNS = Integer.getInteger("bench.runs", 3);

  private Bench() {
  }

  /** A histogram of latencies in microseconds, up to a minute. */
  static Histogram histogram() {
    return new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
  }

  static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static JsonObject latency(Histogram h) {
    return new JsonObject().put("count", h.getTotalCount()).put("p50Ms", ms(h, 50)).put("p99Ms", ms(h, 99))
      .put("maxMs", h.getMaxValue() / 1000.0);
  }

  /** Prints the report and writes it to target/bench/NAME.json. */
  static void save(String name, JsonObject report) throws IOException {
    Path dir = Path.of("target", "bench");
    Files.createDirectories(dir);
    report.put("benchmark", name).put("machine", new JsonObject()
      .put("cores", Runtime.getRuntime().availableProcessors())
      .put("java", System.getProperty("java.version")));
    Files.writeString(dir.resolve(name + ".json"), report.encodePrettily());
    System.out.println("\n=== " + name + " ===\n" + report.encodePrettily());
  }

  static JsonArray array(List<?> values) {
    return new JsonArray(new ArrayList<>(values));
  }

  static String fmt(double v) {
    return String.format("%.3f", v);
  }

  static List<Double> list(double... v) {
    return new ArrayList<>(Arrays.stream(v).boxed().toList());
  }

  /**
   * Probes {@code call} one at a time, 1 ms apart, {@code count} times at most or while
   * {@code whileTrue} holds (null: no condition), on {@code vertx}; returns the latencies.
   */
  static Histogram probe(io.vertx.core.Vertx vertx, java.util.function.Supplier<io.vertx.core.Future<?>> call, int count,
                         java.util.concurrent.atomic.AtomicBoolean whileTrue) throws Exception {
    Histogram h = histogram();
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> probeNext(vertx, call, count, whileTrue, h, done));
    // As long as the condition holds (a load running for minutes), not a test's 30 s.
    done.future().toCompletionStage().toCompletableFuture().get(1, java.util.concurrent.TimeUnit.HOURS);
    return h;
  }

  private static void probeNext(io.vertx.core.Vertx vertx, java.util.function.Supplier<io.vertx.core.Future<?>> call,
                                int left, java.util.concurrent.atomic.AtomicBoolean whileTrue, Histogram h,
                                io.vertx.core.Promise<Void> done) {
    if (left == 0 || (whileTrue != null && !whileTrue.get())) {
      done.complete();
      return;
    }
    long start = System.nanoTime();
    call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        h.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000));
      }
      vertx.setTimer(1, t -> probeNext(vertx, call, left - 1, whileTrue, h, done));
    });
  }
}
