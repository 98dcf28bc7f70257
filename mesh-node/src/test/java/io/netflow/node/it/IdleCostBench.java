package io.netflow.node.it;

import io.netflow.node.TestMesh;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an idle node costs: node processes from the jar, in meshes of 2, 4 and 8 (no traffic, no
 * browser), their CPU time read from /proc, beside bare Hazelcast members (the same jar's
 * Hazelcast, the same TCP join and heartbeats) in the same run. Each side is read over two windows
 * of the same processes: early (after 30 s) and settled (from 180 s after they were ready). An idle
 * node runs its periodic work (load reports, heartbeats, timers) a few times a second, so the JIT
 * reaches that code only after minutes: until then it runs interpreted, costing the event loops
 * several times what it costs compiled, and the compiler threads are busy with it. A profile
 * (async-profiler, two idle nodes) put a report's publish at about 0.6 ms in minute 2, most of it
 * in Vert.x's and Netty's write path still interpreted. The settled window is what a node costs
 * for the rest of its life, and the goal (at most 2x a bare member per node) is judged on it; the
 * early window is reported beside it. At 8 nodes it also reports how long each node took to join
 * (start to ready) and how long a kill -9 takes to leave every other node's view.
 *
 * <p>{@code mvn -B -Pbench verify -pl mesh-node -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=IdleCostBench}; needs Linux (/proc). Every process it starts is killed when it ends,
 * however it ends.
 */
class IdleCostBench {

  private static final int SETTLE_SECONDS = Integer.getInteger("bench.idle.settle", 30);
  private static final int WINDOW_SECONDS = Integer.getInteger("bench.idle.window", 20);
  /** When the settled window starts, seconds after the processes were ready. */
  private static final int SETTLED_SECONDS = Integer.getInteger("bench.idle.settled", 180);
  private static final List<Integer> SIZES = List.of(System.getProperty("bench.idle.sizes", "2,4,8").split(",")).stream()
    .map(String::trim).map(Integer::parseInt).toList();
  /** Clock ticks per second of /proc/[pid]/stat times (USER_HZ; 100 on every Linux this runs on). */
  private static final double TICKS = 100.0;

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 45, unit = TimeUnit.MINUTES)
  void idleNodesAgainstBareMembers() throws Exception {
    JsonObject bySize = new JsonObject();
    List<Double> ratios = new ArrayList<>();
    List<Double> earlyRatios = new ArrayList<>();
    for (int n : SIZES) {
      JsonObject netflow = nodes(n);
      JsonObject bare = bareMembers(n);
      double ratio = netflow.getDouble("coresPerProcess") / bare.getDouble("coresPerProcess");
      double earlyRatio = netflow.getJsonObject("early").getDouble("coresPerProcess")
        / bare.getJsonObject("early").getDouble("coresPerProcess");
      ratios.add(ratio);
      earlyRatios.add(earlyRatio);
      bySize.put(String.valueOf(n), new JsonObject().put("netflow", netflow).put("bareHazelcast", bare).put("ratio", ratio)
        .put("earlyRatio", earlyRatio));
      System.out.printf("%d nodes: NetFlow %.3f of a core per node, bare Hazelcast %.3f, ratio %.2f (early: %.3f, %.3f,"
          + " %.2f)%n", n, netflow.getDouble("coresPerProcess"), bare.getDouble("coresPerProcess"), ratio,
        netflow.getJsonObject("early").getDouble("coresPerProcess"), bare.getJsonObject("early").getDouble("coresPerProcess"),
        earlyRatio);
    }
    JsonObject out = new JsonObject()
      .put("what", "CPU of idle node processes (cores per process, over " + WINDOW_SECONDS + " s after " + SETTLE_SECONDS
        + " s settling: 'early', and " + SETTLED_SECONDS + " s after they were ready: the result) / bare Hazelcast members"
        + " with the same join, same run (goal <= 2, settled)")
      .put("bySize", bySize)
      .put("ratios", new JsonArray(ratios))
      .put("earlyRatios", new JsonArray(earlyRatios))
      .put("benchmark", "idle-cost")
      .put("machine", new JsonObject().put("cores", Runtime.getRuntime().availableProcessors())
        .put("java", System.getProperty("java.version")));
    Path bench = Path.of("target", "bench");
    Files.createDirectories(bench);
    Files.writeString(bench.resolve("idle-cost.json"), out.encodePrettily());
    System.out.println("=== idle-cost ===\n" + out.encodePrettily());
  }

  /** {@code n} NetFlow nodes from the jar; their idle CPU, and at the largest size join and kill-detection times. */
  private JsonObject nodes(int n) throws Exception {
    List<Integer> clusterPorts = ports(n);
    String join = clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    List<NodeProcess> all = new ArrayList<>();
    try {
      List<Long> joinMs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Path data = Files.createDirectories(dir.resolve("idle-" + n + "-" + i));
        NodeProcess p = NodeProcess.start("idle-" + n + "-" + i, List.of("--name", "idle-" + i, "--cluster-port",
          String.valueOf(clusterPorts.get(i)), "--http-port", String.valueOf(TestMesh.freePort()), "--join", join,
          "--data-dir", data.toString()), Map.of("NETFLOW_CLUSTER_NAME", "idle-" + n + "-" + ProcessHandle.current().pid()));
        all.add(p);
        joinMs.add(p.awaitReady(Duration.ofSeconds(120)));
      }
      awaitMembers(all, n);
      JsonObject out = cpu(all.stream().map(p -> p.process.pid()).toList()).put("joinMs", new JsonArray(joinMs));
      if (n == SIZES.get(SIZES.size() - 1)) {
        out.put("killDetectionMs", killDetection(all));
      }
      return out;
    } finally {
      for (NodeProcess p : all) {
        p.close();
      }
    }
  }

  /** Kills the last node (SIGKILL); milliseconds until no other node lists it. */
  private static long killDetection(List<NodeProcess> all) throws Exception {
    NodeProcess victim = all.get(all.size() - 1);
    String name = "\"idle-" + (all.size() - 1) + "\"";
    long killed = System.nanoTime();
    victim.signal("KILL");
    long deadline = killed + TimeUnit.SECONDS.toNanos(60);
    for (NodeProcess p : all.subList(0, all.size() - 1)) {
      while (p.get("/v1/mesh/nodes").contains(name)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(p.name + " still lists the killed node after 60 s");
        }
        Thread.sleep(10);
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
  }

  private static void awaitMembers(List<NodeProcess> all, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (NodeProcess p : all) {
      while (new JsonObject(p.get("/v1/mesh/nodes")).getJsonArray("nodes").size() < n) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(p.name + " does not see " + n + " nodes");
        }
        Thread.sleep(100);
      }
    }
  }

  /**
   * {@code n} bare Hazelcast members from the same jar, joined as nodes join (TCP, same heartbeats).
   * A port picked free can be taken before its member binds it (another process's outgoing
   * connection gets it as its local port): then every member is stopped and they start again on new
   * ports, at most {@link #BIND_ATTEMPTS} times.
   */
  private JsonObject bareMembers(int n) throws Exception {
    for (int attempt = 1; ; attempt++) {
      JsonObject cpu = bareMembersOnce(n, attempt == BIND_ATTEMPTS);
      if (cpu != null) {
        return cpu;
      }
      System.out.printf("A bare member found its port taken; starting the %d again on new ports%n", n);
    }
  }

  private static final int BIND_ATTEMPTS = 3;

  /** One start of the bare members, measured; null when one lost its port (unless {@code last}). */
  private JsonObject bareMembersOnce(int n, boolean last) throws Exception {
    List<Integer> ports = ports(n);
    String members = ports.stream().map(p -> "        - 127.0.0.1:" + p).collect(Collectors.joining("\n"));
    List<Process> all = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Path config = dir.resolve("bare-" + n + "-" + i + ".yaml");
        Files.writeString(config, """
          hazelcast:
            cluster-name: bare-%d-%d
            network:
              port:
                port: %d
                auto-increment: false
              interfaces:
                enabled: true
                interfaces: [127.0.0.1]
              join:
                auto-detection:
                  enabled: false
                multicast:
                  enabled: false
                tcp-ip:
                  enabled: true
                  connection-timeout-seconds: 2
                  member-list:
          %s
            properties:
              hazelcast.phone.home.enabled: false
              hazelcast.socket.bind.any: false
              hazelcast.wait.seconds.before.join: 0
              hazelcast.heartbeat.interval.seconds: 1
              hazelcast.max.no.heartbeat.seconds: 5
              hazelcast.logging.type: none
          """.formatted(n, ProcessHandle.current().pid(), ports.get(i), members));
        Path log = Files.createDirectories(Path.of("target", "it-logs")).resolve("bare-" + n + "-" + i + ".out");
        all.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-Dhazelcast.config=" + config, "-cp", NodeProcess.JAR.toString(), "com.hazelcast.core.server.HazelcastMemberStarter")
          .redirectErrorStream(true).redirectOutput(log.toFile()).start());
      }
      // A bare member says nothing when it has joined (logging off): give it the time a node takes.
      Thread.sleep(10_000);
      for (int i = 0; i < n; i++) {
        if (!all.get(i).isAlive()) {
          Path log = Path.of("target", "it-logs", "bare-" + n + "-" + i + ".out");
          if (!last && Files.readString(log).contains("BindException")) {
            return null;
          }
          throw new AssertionError("a bare member exited with " + all.get(i).exitValue() + " (see " + log + ")");
        }
      }
      return cpu(all.stream().map(Process::pid).toList());
    } finally {
      for (Process p : all) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Each process's CPU over two windows of the same processes: the early one, after
   * {@code bench.idle.settle} seconds, and the settled one, {@code bench.idle.settled} seconds after
   * they were ready (the JIT is then done with what an idle node runs: see the class comment). The
   * settled window's figures are the result; the early one's are beside them under {@code early}.
   */
  private static JsonObject cpu(List<Long> pids) throws Exception {
    long ready = System.nanoTime();
    Thread.sleep(SETTLE_SECONDS * 1_000L);
    JsonObject early = window(pids);
    long left = TimeUnit.SECONDS.toNanos(SETTLED_SECONDS) - (System.nanoTime() - ready);
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(left)));
    return window(pids).put("early", early);
  }

  /**
   * Reads each process's CPU over one window: cores per process (mean), each one's, and where it
   * went, by kind of thread (summed over the processes, per process).
   */
  private static JsonObject window(List<Long> pids) throws Exception {
    List<Long> before = new ArrayList<>();
    Map<String, Long> threadsBefore = new java.util.HashMap<>();
    for (long pid : pids) {
      before.add(ticks(Path.of("/proc", String.valueOf(pid), "stat")));
      threadsBefore.putAll(threads(pid));
    }
    long start = System.nanoTime();
    Thread.sleep(WINDOW_SECONDS * 1_000L);
    double seconds = (System.nanoTime() - start) / 1e9;
    JsonArray each = new JsonArray();
    double sum = 0;
    Map<String, Double> byKind = new java.util.TreeMap<>();
    for (int i = 0; i < pids.size(); i++) {
      double cores = (ticks(Path.of("/proc", String.valueOf(pids.get(i)), "stat")) - before.get(i)) / TICKS / seconds;
      each.add(round(cores));
      sum += cores;
      threads(pids.get(i)).forEach((thread, t) -> byKind.merge(thread.substring(thread.indexOf(' ') + 1),
        (t - threadsBefore.getOrDefault(thread, 0L)) / TICKS / seconds / pids.size(), Double::sum));
    }
    JsonObject kinds = new JsonObject();
    byKind.entrySet().stream().filter(e -> e.getValue() >= 0.0005).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
      .forEach(e -> kinds.put(e.getKey(), round(e.getValue())));
    return new JsonObject().put("coresPerProcess", sum / pids.size()).put("coresInAll", sum).put("each", each)
      .put("coresPerProcessByThreadKind", kinds);
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  /**
   * Each thread's CPU ticks, keyed {@code "tid kind"}: its name without digits, and every Hazelcast
   * thread ({@code hz.<instance>.*}, truncated by the kernel) as one kind.
   */
  private static Map<String, Long> threads(long pid) throws IOException {
    Map<String, Long> out = new java.util.HashMap<>();
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          String kind = comm.startsWith("hz.") ? "hazelcast" : comm.replaceAll("[0-9]+", "#");
          out.put(task.getFileName() + " " + kind, ticks(task.resolve("stat")));
        } catch (IOException gone) {
          // The thread ended between listing and reading.
        }
      }
    }
    return out;
  }

  /** User and system CPU time so far, in clock ticks, from a /proc stat file (a process's or a thread's). */
  private static long ticks(Path stat) throws IOException {
    String text = Files.readString(stat);
    // Fields after the command name (which may hold spaces) start after the last ')'.
    String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static List<Integer> ports(int n) throws IOException {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TestMesh.freePort());
    }
    return out;
  }
}
