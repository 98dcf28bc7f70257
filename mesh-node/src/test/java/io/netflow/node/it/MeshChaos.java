package io.netflow.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.node.TestMesh;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite (profile {@code chaos}): four nodes as separate processes from the built jar,
 * one of them the gateway the clients use; the other three are killed ({@code kill -9}) and hung
 * ({@code SIGSTOP}, later {@code SIGCONT}), one at a time and two at once, while clients send
 * CRITICAL requests, contribute data for rewards and have deferred work run. Killed nodes are
 * started again. Nothing acknowledged may be lost: every request answered 200 was served, every
 * work item completes and every published item's effect reaches its subscriber (applied once by the
 * item's id, however many attempts delivered it), the ledger's totals equal the receipts. What a
 * killed node held is answered elsewhere within 1 s of its process being gone, every request around
 * a kill within 2 s, around a hang within 6 s. Prints the table of faults, and as their baseline
 * the tail of the requests no fault met.
 */
class MeshChaos {

  private static final String KEY = "chaos-secret";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(2)).build();
  private static final long SEED = Long.getLong("chaos.seed", 42);

  @TempDir
  Path dataDir;

  private final String cluster = "chaos-" + java.util.UUID.randomUUID();
  private final List<NodeProcess> all = new CopyOnWriteArrayList<>();
  private final Map<String, NodeProcess> live = new ConcurrentHashMap<>();
  private final List<String> seeds = new ArrayList<>();
  private final long t0 = System.nanoTime();
  private final java.security.KeyPair publisher = io.netflow.models.ModelKeys.generate();

  /** One request the clients sent: when, how long, and what came back. */
  private record Sent(long startMs, long latencyMs, int status, int code, String node, int attempts) {

    String how() {
      return status == 200 ? node + " after " + attempts + (attempts == 1 ? " attempt" : " attempts") : "status " + status;
    }
  }

  /** A fault and when it was injected. */
  private record Fault(long atMs, String what, boolean hang) {
  }

  @AfterEach
  void killAll() throws InterruptedException {
    for (NodeProcess p : all) {
      p.close();
    }
  }

  private long now() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  private NodeProcess start(String name) throws Exception {
    int clusterPort = TestMesh.freePort();
    int httpPort = TestMesh.freePort();
    if (seeds.size() < 4) {
      seeds.add("127.0.0.1:" + clusterPort);
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("NETFLOW_CLUSTER_NAME", cluster);
    env.put("NETFLOW_CLUSTER_PORT_COUNT", "1");
    env.put("NETFLOW_HTTP_PORT_COUNT", "1");
    env.put("NETFLOW_GATEWAY_API_KEYS", ApiKeys.entry("chaos", KEY, "admin"));
    env.put("NETFLOW_GATEWAY_RATE_PER_SECOND", "1000000");
    env.put("NETFLOW_GATEWAY_RATE_BURST", "1000000");
    env.put("NETFLOW_REWARDS_RATE_PER_MINUTE", "1000000");
    env.put("NETFLOW_SHUTDOWN_DRAIN_MS", "200");
    env.put("NETFLOW_MODELS_TRUSTED_KEYS", "ops=" + io.netflow.models.ModelKeys.encode(publisher.getPublic()));
    // A rollout slow enough to be under way through the faults: 4 MiB/s per node each way.
    env.put("NETFLOW_NODE_UPLOAD_BYTES_PER_SECOND", String.valueOf(4L << 20));
    env.put("NETFLOW_NODE_DOWNLOAD_BYTES_PER_SECOND", String.valueOf(4L << 20));
    // Each kill or hang of the node running an item uses one of its attempts: allow for this many faults.
    env.put("NETFLOW_SCHEDULING_MAX_ATTEMPTS", "10");
    List<String> join = new ArrayList<>(seeds);
    NodeProcess p = NodeProcess.start(name + "-" + all.size(), List.of("--name", name, "--cluster-port",
      String.valueOf(clusterPort), "--http-port", String.valueOf(httpPort), "--join", String.join(",", join),
      "--data-dir", dataDir.toString()), env);
    all.add(p);
    p.awaitReady(Duration.ofSeconds(60));
    live.put(name, p);
    return p;
  }

  private static HttpResponse<String> send(String url, String method, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
      .header("Authorization", "Bearer " + KEY)
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
      .build(), HttpResponse.BodyHandlers.ofString());
  }

  private int upNodes(String gateway) {
    try {
      JsonArray nodes = new JsonObject(send(gateway + "/v1/mesh/nodes", "GET", null).body()).getJsonArray("nodes");
      int up = 0;
      for (int i = 0; i < nodes.size(); i++) {
        JsonObject n = nodes.getJsonObject(i);
        if ("UP".equals(n.getString("state")) && !n.getBoolean("stale")
          && n.getJsonObject("traffic").getJsonArray("services").contains("netflow.ping")) {
          up++;
        }
      }
      return up;
    } catch (Exception e) {
      return -1;
    }
  }

  /** Per kill: when the first of its processes was gone (torn down by the kernel, reaped), in ms after the fault. */
  private final Map<Fault, Long> goneAfter = new ConcurrentHashMap<>();

  /** {@code kill -9} of a node, and when its process is gone: a killed JVM's ports close only then. */
  private void kill(Fault fault, String name) throws Exception {
    NodeProcess victim = live.remove(name);
    victim.process.onExit().thenRun(() -> goneAfter.merge(fault, now() - fault.atMs(), Math::min));
    victim.signal("KILL");
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void nothingAcknowledgedIsLostUnderKillsAndHangs() throws Exception {
    NodeProcess gatewayNode = start("gw");
    for (String n : List.of("n1", "n2", "n3")) {
      start(n);
    }
    String gw = gatewayNode.httpUrl().orElseThrow();
    TestMesh.await(Duration.ofSeconds(30), "4 nodes serving ping", () -> upNodes(gw) == 4);

    AtomicBoolean running = new AtomicBoolean(true);
    List<Sent> sent = new CopyOnWriteArrayList<>();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      clients.add(thread(() -> {
        while (running.get()) {
          long start = now();
          try {
            // A key per player spreads requests over every node (rendezvous hashing), victims included.
            HttpResponse<String> r = send(gw + "/v1/messages", "POST", "{\"service\":\"netflow.ping\",\"priority\":"
              + "\"CRITICAL\",\"timeoutMs\":8000,\"key\":\"player-" + ThreadLocalRandom.current().nextInt(10_000)
              + "\",\"payload\":\"tick\"}");
            long took = now() - start;
            JsonObject body = new JsonObject(r.body());
            int code = r.statusCode() == 200 ? 0 : body.getInteger("code", 0);
            if (r.statusCode() == 200) {
              assertThat(body.getString("reply")).isNotEmpty();
            }
            sent.add(new Sent(start, took, r.statusCode(), code, body.getString("node"), body.getInteger("attempts", 0)));
          } catch (Exception e) {
            sent.add(new Sent(start, now() - start, -1, 0, null, 0));
          }
        }
      }));
    }

    // Rewards: unique contributions, each retried with its id until it has a receipt.
    Map<String, Long> receipts = new ConcurrentHashMap<>();
    AtomicLong contributionRetries = new AtomicLong();
    Thread contributor = thread(() -> {
      int i = 0;
      while (running.get()) {
        String payload = "trace " + i + " of chaos run, frame " + (i * 7919L);
        String body = new JsonObject().put("id", "c-" + i).put("type", "telemetry")
          .put("size", payload.getBytes(StandardCharsets.UTF_8).length).put("sha256", sha256(payload))
          .put("payload", payload).encode();
        for (int attempt = 0; attempt < 20 && !receipts.containsKey("c-" + i); attempt++) {
          try {
            HttpResponse<String> r = send(gw + "/v1/rewards/contributions", "POST", body);
            if (r.statusCode() == 200 || r.statusCode() == 201) {
              receipts.put("c-" + i, new JsonObject(r.body()).getLong("points"));
            } else {
              contributionRetries.incrementAndGet();
            }
          } catch (Exception e) {
            contributionRetries.incrementAndGet();
          }
        }
        i++;
        sleep(20);
      }
    });

    // Deferred work: 200 items while nodes die. Half are requests to the ping service; the other
    // half publish on a topic whose only subscriber is this test, over a WebSocket on the gateway:
    // each delivery it receives is an effect, named <item>#<attempt>.
    Map<String, List<String>> effects = new ConcurrentHashMap<>();
    CompletableFuture<Void> subscribed = new CompletableFuture<>();
    java.net.http.WebSocket sink = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + KEY)
      .buildAsync(URI.create(gw.replace("http", "ws") + "/v1/stream"), new java.net.http.WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence part, boolean last) {
          text.append(part);
          if (last) {
            JsonObject frame = new JsonObject(text.toString());
            text.setLength(0);
            if ("subscribed".equals(frame.getString("op"))) {
              subscribed.complete(null);
            } else if ("message".equals(frame.getString("op"))) {
              String id = frame.getString("id");
              effects.computeIfAbsent(id.substring(0, id.indexOf('#')), k -> new CopyOnWriteArrayList<>()).add(id);
            }
          }
          ws.request(1);
          return null;
        }
      }).get(10, TimeUnit.SECONDS);
    sink.sendText(new JsonObject().put("op", "subscribe").put("topic", "chaos.effects").encode(), true);
    // Answered "subscribed" only once every member of the mesh has acknowledged the gateway's interest.
    subscribed.get(10, TimeUnit.SECONDS);
    // Submitted one every 300 ms through the faults, so that items are running when nodes die.
    List<String> work = new CopyOnWriteArrayList<>();
    List<String> publications = new CopyOnWriteArrayList<>();
    List<String> unsubmitted = new CopyOnWriteArrayList<>();
    Thread submitter = thread(() -> {
      for (int i = 0; i < 200; i++) {
        String id = "w-" + i;
        JsonObject item = new JsonObject().put("id", id).put("kind", "deliver")
          .put("class", i % 2 == 0 ? "NORMAL" : "BULK").put("deadlineInMs", 120_000).put("payload", new JsonObject().put("i", i));
        if (i % 4 < 2) {
          item.put("topic", "chaos.effects");
        } else {
          item.put("service", "netflow.ping");
        }
        try {
          HttpResponse<String> r = send(gw + "/v1/work", "POST", item.encode());
          if (r.statusCode() != 201) {
            unsubmitted.add(id + ": " + r.body());
          }
        } catch (Exception e) {
          unsubmitted.add(id + ": " + e);
        }
        (item.containsKey("topic") ? publications : new ArrayList<String>()).add(id);
        work.add(id);
        sleep(300);
      }
    });

    // A model version (48 MiB, signed) rolls out while the faults happen.
    Path model = dataDir.resolve("policy-v1.bin");
    byte[] modelBytes = new byte[48 << 20];
    new Random(SEED).nextBytes(modelBytes);
    java.nio.file.Files.write(model, modelBytes);
    var signed = io.netflow.models.ModelKeys.sign(io.netflow.models.ModelStore.describe(model, "policy", "v1", 65_536),
      "ops", publisher.getPrivate());
    HttpResponse<String> published = HTTP.send(HttpRequest.newBuilder(URI.create(gw + "/v1/models/policy/v1"))
      .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + KEY)
      .header(io.netflow.models.ModelRoutes.SIZE, String.valueOf(signed.size()))
      .header(io.netflow.models.ModelRoutes.CHUNK_SIZE, "65536")
      .header(io.netflow.models.ModelRoutes.KEY_ID, "ops").header(io.netflow.models.ModelRoutes.SIGNATURE, signed.signature())
      .PUT(HttpRequest.BodyPublishers.ofFile(model)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(published.statusCode()).as(published.body()).isEqualTo(201);
    long publishedAt = now();

    Random random = new Random(SEED);
    List<Fault> faults = new ArrayList<>();
    List<String> victims = new ArrayList<>(List.of("n1", "n2", "n3"));
    sleep(3_000);
    // One killed, then started again.
    String k1 = victims.get(random.nextInt(3));
    faults.add(new Fault(now(), "kill -9 " + k1, false));
    kill(faults.get(faults.size() - 1), k1);
    sleep(4_000);
    start(k1);
    sleep(3_000);
    // One hung for 8 s (past the 5 s failure detector), then resumed.
    String h1 = victims.get(random.nextInt(3));
    faults.add(new Fault(now(), "SIGSTOP " + h1 + " (8 s)", true));
    live.get(h1).signal("STOP");
    sleep(8_000);
    live.get(h1).signal("CONT");
    faults.add(new Fault(now(), "SIGCONT " + h1, false));
    TestMesh.await(Duration.ofSeconds(40), h1 + " back in the mesh", () -> upNodes(gw) == 4);
    long rejoined1 = now();
    // As after a restart, the next fault comes 3 s later: each row of the table measures one fault,
    // not a kill landing on a node still settling after its merge.
    sleep(3_000);
    // Two killed at once, then started again.
    List<String> two = new ArrayList<>(victims);
    java.util.Collections.shuffle(two, random);
    faults.add(new Fault(now(), "kill -9 " + two.get(0) + " and " + two.get(1), false));
    kill(faults.get(faults.size() - 1), two.get(0));
    kill(faults.get(faults.size() - 1), two.get(1));
    sleep(4_000);
    start(two.get(0));
    start(two.get(1));
    sleep(3_000);
    // Two hung at once, then resumed.
    java.util.Collections.shuffle(two, random);
    faults.add(new Fault(now(), "SIGSTOP " + two.get(0) + " and " + two.get(1) + " (8 s)", true));
    live.get(two.get(0)).signal("STOP");
    live.get(two.get(1)).signal("STOP");
    sleep(8_000);
    live.get(two.get(0)).signal("CONT");
    live.get(two.get(1)).signal("CONT");
    faults.add(new Fault(now(), "SIGCONT " + two.get(0) + " and " + two.get(1), false));
    // Each hung node finds itself alone when it resumes: the split has three sides, and takes two
    // merges (tried every 5 s, and tried again when the member list changed under one) to heal. A
    // local run on 0121e0e was still merging the second at 40 s. Twice (CI on 96bf741, and locally
    // on 35557af at 150 s) a resumed node stayed stranded by a Hazelcast race, suspecting its peers
    // but never claiming mastership; StrandedMemberWatch now frees it. See the README.
    TestMesh.await(Duration.ofSeconds(150), "hung nodes back in the mesh", () -> upNodes(gw) == 4);
    long rejoined2 = now();
    sleep(2_000);
    running.set(false);
    for (Thread t : clients) {
      t.join();
    }
    contributor.join();
    submitter.join();
    assertThat(unsubmitted).as("work the gateway did not take").isEmpty();

    // Every work item finishes (the table shows how).
    Map<String, String> states = new ConcurrentHashMap<>();
    Map<String, Integer> attempts = new ConcurrentHashMap<>();
    Map<String, String> errors = new ConcurrentHashMap<>();
    long workDeadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < workDeadline) {
      for (String id : work) {
        try {
          JsonObject status = new JsonObject(send(gw + "/v1/work/" + id, "GET", null).body());
          states.put(id, status.getString("state", "?"));
          attempts.put(id, status.getInteger("attempt", 0));
          if (status.containsKey("error")) {
            errors.put(id, status.getString("error"));
          }
        } catch (Exception e) {
          states.put(id, "?");
        }
      }
      if (states.values().stream().allMatch(st -> st.equals("SUCCEEDED") || st.equals("FAILED"))) {
        break;
      }
      sleep(1_000);
    }
    // The rollout completes on every node, and what each node runs is byte for byte the version.
    List<String> names = List.of("gw", "n1", "n2", "n3");
    TestMesh.await(Duration.ofSeconds(120), "policy v1 active on every node", () -> names.stream().allMatch(name -> {
      Path base = dataDir.resolve(name).resolve("models").resolve("policy");
      try {
        return java.nio.file.Files.readString(base.resolve("ACTIVE")).trim().equals("v1");
      } catch (java.io.IOException e) {
        return false;
      }
    }));
    long rolledOutAt = now();
    String wanted = signed.sha256();
    List<String> corrupt = new ArrayList<>();
    for (String name : names) {
      byte[] active = java.nio.file.Files.readAllBytes(dataDir.resolve(name).resolve("models").resolve("policy")
        .resolve("v1").resolve("model.bin"));
      if (!HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(active)).equals(wanted)) {
        corrupt.add(name);
      }
    }
    // Effects: every published item was received; applied once by its id, however many attempts delivered it.
    sleep(1_000);
    sink.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done");
    List<String> missing = publications.stream().filter(id -> !effects.containsKey(id)).toList();
    List<String> strangers = effects.keySet().stream().filter(id -> !publications.contains(id)).toList();
    long deliveries = effects.values().stream().mapToLong(List::size).sum();
    List<String> beyondAttempts = effects.entrySet().stream().flatMap(e -> e.getValue().stream())
      .filter(d -> Integer.parseInt(d.substring(d.indexOf('#') + 1)) > attempts.getOrDefault(d.substring(0, d.indexOf('#')), 0))
      .toList();
    long reruns = publications.stream().filter(id -> attempts.getOrDefault(id, 0) > 1).count();
    Map<String, Long> byState = new java.util.TreeMap<>();
    states.values().forEach(st -> byState.merge(st, 1L, Long::sum));
    // The ledger holds exactly what the receipts say.
    long receiptPoints = receipts.values().stream().mapToLong(Long::longValue).sum();
    JsonObject account = new JsonObject(send(gw + "/v1/rewards/chaos", "GET", null).body());

    long acked = sent.stream().filter(s -> s.status() == 200).count();
    long refused = sent.stream().filter(s -> s.status() > 0 && s.status() != 200).count();
    long unanswered = sent.stream().filter(s -> s.status() < 0).count();
    System.out.println("\n=== chaos (seed " + SEED + ") ===");
    System.out.printf("%-34s %8s %9s %13s %13s %13s  %s%n", "fault", "at (ms)", "in flight", "longest ack", "longest ack",
      "longest ack", "the slowest answered by");
    System.out.printf("%-34s %8s %9s %13s %13s %13s%n", "", "", "at fault", "in flight (ms)", "sent after (ms)",
      "rerouted (ms)");
    List<String> slow = new ArrayList<>();
    for (Fault f : faults) {
      boolean kill = f.what().startsWith("kill");
      // A kill's window runs until its process is gone, and 1 s more.
      long window = f.hang() ? 6_000 : 1_000 + (kill ? goneAfter.getOrDefault(f, 0L) : 0);
      List<Sent> around = sent.stream().filter(s -> s.status() == 200 && s.startMs() <= f.atMs()
        && s.startMs() + s.latencyMs() >= f.atMs()).toList();
      List<Sent> after = sent.stream().filter(s -> s.status() == 200 && s.startMs() >= f.atMs()
        && s.startMs() < f.atMs() + window).toList();
      List<Sent> both = java.util.stream.Stream.concat(around.stream(), after.stream()).toList();
      Sent slowest = both.stream().max(java.util.Comparator.comparingLong(Sent::latencyMs)).orElse(null);
      long longestAround = around.stream().mapToLong(Sent::latencyMs).max().orElse(0);
      long longestAfter = after.stream().mapToLong(Sent::latencyMs).max().orElse(0);
      // The requests this fault's node held: a first attempt there failed, and another node answered.
      List<Sent> rerouted = both.stream().filter(s -> s.attempts() > 1).toList();
      long longestRerouted = rerouted.stream().mapToLong(Sent::latencyMs).max().orElse(0);
      System.out.printf("%-34s %8d %9d %13d %13d %13d  %s%n", f.what(), f.atMs(), around.size(), longestAround,
        longestAfter, longestRerouted, slowest == null ? "-" : slowest.how());
      long longest = Math.max(longestAround, longestAfter);
      // Around a kill, a request it did not hold waits on this machine's own tail (the requests no
      // fault met reached 0.6-1.4 s in nine runs); around a hang or a resume, one may wait out two
      // attempt timeouts and a question.
      long bound = kill ? 2_000 : 6_000;
      if (longest > bound) {
        slow.add(f.what() + ": a request answered after " + longest + " ms");
      }
      if (kill) {
        // A killed process's ports close only once the kernel has torn it down (0.3-0.6 s here):
        // until then nothing on the network tells it from a hung one. From then, what it held is
        // rerouted and answered within 1 s (PeerProbeTest, not this bound, pins the probe that
        // finds the port closed at once).
        long gone = goneAfter.getOrDefault(f, 0L);
        long pastGone = rerouted.stream().mapToLong(s -> s.startMs() + s.latencyMs() - (f.atMs() + gone)).max().orElse(0);
        System.out.printf("%-34s the killed process gone after %d ms; what it held answered by %d ms after that%n", "",
          gone, pastGone);
        if (pastGone > 1_000) {
          slow.add(f.what() + ": a rerouted request answered " + pastGone + " ms after the killed process was gone");
        }
      }
    }
    // The baseline: requests that met no fault (none in their way, nor in the 10 s before they ended).
    List<Sent> quiet = sent.stream().filter(s -> s.status() == 200 && faults.stream().noneMatch(f ->
      s.startMs() + s.latencyMs() >= f.atMs() && s.startMs() <= f.atMs() + 10_000))
      .sorted(java.util.Comparator.comparingLong(Sent::latencyMs)).toList();
    if (!quiet.isEmpty()) {
      System.out.printf("requests that met no fault: %d, 99th percentile %d ms, 99.9th %d ms, longest %d ms; the slowest:%n",
        quiet.size(), quiet.get((int) (quiet.size() * 0.99)).latencyMs(), quiet.get((int) (quiet.size() * 0.999)).latencyMs(),
        quiet.get(quiet.size() - 1).latencyMs());
      quiet.subList(Math.max(0, quiet.size() - 5), quiet.size()).forEach(s ->
        System.out.printf("  sent at %d ms, answered in %d ms by %s%n", s.startMs(), s.latencyMs(), s.how()));
    }
    System.out.printf("hung nodes back in the mesh at %d ms and %d ms%n", rejoined1, rejoined2);
    System.out.printf("CRITICAL requests: sent %d, acknowledged %d, refused with a code %d, unanswered %d, "
      + "acknowledged and lost 0%n", sent.size(), acked, refused, unanswered);
    System.out.printf("work: %d items, by state %s%n", work.size(), byState);
    states.forEach((id, st) -> {
      if (!st.equals("SUCCEEDED")) {
        System.out.printf("  %s %s after %d attempts: %s%n", id, st, attempts.getOrDefault(id, 0), errors.get(id));
      }
    });
    System.out.printf("effects: %d published items, %d received and applied once by work id (%d deliveries, %d of them "
      + "repeats; %d items ran more than once); missing %s%n", publications.size(), effects.size(), deliveries,
      deliveries - effects.size(), reruns, missing);
    System.out.printf("model: 48 MiB published at %d ms, active and intact on all 4 nodes at %d ms; corrupt: %s%n",
      publishedAt, rolledOutAt, corrupt);
    System.out.printf("rewards: %d contributions credited, %d retries; ledger %d points in %d credits, receipts %d points%n",
      receipts.size(), contributionRetries.get(), account.getLong("balance"), account.getInteger("contributions"),
      receiptPoints);
    assertThat(slow).as("what a kill held answered within 1 s of the process gone; every request around a kill within 2 s, "
      + "around a hang within 6 s").isEmpty();
    assertThat(corrupt).as("nodes whose active version is not the published one").isEmpty();
    assertThat(byState).as("every work item completes").containsExactly(Map.entry("SUCCEEDED", (long) work.size()));
    assertThat(missing).as("completed items whose effect never arrived").isEmpty();
    assertThat(strangers).as("effects of items nobody submitted").isEmpty();
    assertThat(beyondAttempts).as("deliveries from attempts the item does not know of").isEmpty();
    assertThat(account.getInteger("contributions")).isEqualTo(receipts.size());
    assertThat(account.getLong("balance")).isEqualTo(receiptPoints);
    assertThat(unanswered).as("requests the gateway never answered").isZero();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Thread thread(Runnable body) {
    Thread t = new Thread(body);
    t.start();
    return t;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
