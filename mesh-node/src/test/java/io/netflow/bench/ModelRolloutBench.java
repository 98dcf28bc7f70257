package io.netflow.bench;

import static io.netflow.node.TestMesh.join;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.netflow.gateway.protocol.Sha256;
import io.netflow.models.ModelAddresses;
import io.netflow.models.ModelFixture;
import io.netflow.models.ModelManifest;
import io.netflow.models.ModelStore;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollout time of a model (64 MiB by default) to N nodes (6), every node's upload capped at B
 * (16 MiB/s): until every node holds it verified. Against the physical limit S/B (the origin
 * must upload every byte once) and against naive fan-out, where the origin sends the whole file
 * to each node under the same budget (its floor: (N - 1) x S/B), as many chunks in flight as the
 * swarm. A run starts six nodes twice: the whole benchmark takes a few minutes, under its own limit.
 */
class ModelRolloutBench {

  private static final int MIB = 1 << 20;
  private static final int SIZE = Integer.getInteger("bench.model.mib", 64) * MIB;
  private static final int NODES = Integer.getInteger("bench.model.nodes", 6);
  private static final long BUDGET = Long.getLong("bench.model.budget.mib", 16) * MIB;

  @TempDir
  Path dir;
  private double originServed;

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void rolloutTime() throws Exception {
    ModelFixture fx = new ModelFixture(dir);
    Path model = fx.model("model.bin", SIZE, 11);
    double limit = SIZE / (double) BUDGET;
    List<Double> ours = new ArrayList<>();
    List<Double> naive = new ArrayList<>();
    JsonObject runs = new JsonObject();
    for (int run = 1; run <= Bench.RUNS; run++) {
      double o = swarm(fx, model, "v" + run);
      double n = Boolean.getBoolean("bench.model.skipNaive") ? Double.NaN : naiveFanOut(model);
      ours.add(o);
      naive.add(n);
      runs.put("run" + run, new JsonObject().put("netflowSeconds", o).put("naiveFanOutSeconds", n)
        .put("originUploadsPerChunk", originServed));
    }
    Bench.save("model-rollout", new JsonObject()
      .put("what", "time until every node holds the model verified, " + SIZE / MIB + " MiB to " + NODES
        + " nodes, upload budget " + BUDGET / MIB + " MiB/s per node (target <= 1.3 x S/B)")
      .put("physicalLimitSeconds", limit)
      .put("medianNetflowSeconds", Bench.median(ours))
      .put("medianNaiveFanOutSeconds", Bench.median(naive))
      .put("medianNetflowOverLimit", Bench.median(ours) / limit)
      .put("medianNaiveOverLimit", Bench.median(naive) / limit)
      .put("runs", runs));
  }

  private double swarm(ModelFixture fx, Path model, String version) throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      List<NetflowNode> nodes = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        nodes.add(mesh.start("n" + i, fx.trusting(cfg -> cfg.set(NodeKeys.NODE_UPLOAD, BUDGET)
          .set(NodeKeys.NODE_DOWNLOAD, 4 * BUDGET).set(NodeKeys.MODEL_PEER_IN_FLIGHT, 4).set(NodeKeys.MODEL_IN_FLIGHT, 16)
          .set(NodeKeys.LINK_WINDOW, Integer.getInteger("bench.window", 64 * 1024)))));
      }
      CountDownLatch verified = new CountDownLatch(NODES - 1);
      for (NetflowNode n : nodes.subList(1, NODES)) {
        join(n.vertx().eventBus().localConsumer(ModelAddresses.MODEL_ACTIVATED, m -> verified.countDown()).completion());
      }
      var r = fx.publish(nodes.get(0), "policy", version, model);
      // The clock starts at the announcement: hashing and uploading are publishing, not rollout.
      long start = System.nanoTime();
      if (r.statusCode() != 201) {
        throw new AssertionError(r.body());
      }
      if (!verified.await(10, TimeUnit.MINUTES)) {
        throw new AssertionError("rollout did not finish");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      originServed = TestMesh.get(nodes.get(0), "/metrics").body().lines()
        .filter(l -> l.startsWith("netflow_model_chunks_served_total ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
        .sum() / (SIZE / (double) ModelFixture.CHUNK);
      return seconds;
    }
  }

  /** The origin streams every chunk to every node itself, under the same upload budget. */
  private double naiveFanOut(Path model) throws Exception {
    try (TestMesh mesh = new TestMesh()) {
      List<NetflowNode> nodes = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        nodes.add(mesh.start("n" + i));
      }
      ModelManifest m = ModelStore.describe(model, "naive", "v1", ModelFixture.CHUNK);
      ModelStore origin = new ModelStore(dir.resolve("naive-origin"));
      Files.createDirectories(origin.root());
      for (int i = 1; i < NODES; i++) {
        NetflowNode n = nodes.get(i);
        ModelStore store = new ModelStore(dir.resolve("naive-" + i));
        store.prepare(m);
        join(n.vertx().eventBus().<Buffer>consumer("bench.naive." + i, msg -> n.vertx().executeBlocking(() -> {
          int chunk = Integer.parseInt(msg.headers().get("chunk"));
          if (!Sha256.hex(msg.body().getBytes()).equals(m.chunkSha256().get(chunk))) {
            throw new IllegalStateException("bad chunk");
          }
          store.writeChunk(m, chunk, msg.body());
          return chunk;
        }).onComplete(ar -> msg.reply(Buffer.buffer()))).completion());
      }
      byte[] bytes = Files.readAllBytes(model);
      Bucket upload = Bucket.builder().addLimit(Bandwidth.builder().capacity(2L * ModelFixture.CHUNK)
        .refillGreedy(BUDGET, Duration.ofSeconds(1)).initialTokens(2L * ModelFixture.CHUNK).build()).build();
      NetflowNode sender = nodes.get(0);
      long start = System.nanoTime();
      Promise<Void> done = Promise.promise();
      sender.vertx().runOnContext(v -> new NaiveSender(sender, upload, m, bytes, done).fill());
      join(done.future());
      return (System.nanoTime() - start) / 1e9;
    }
  }

  /**
   * The origin sends chunk after chunk to each node in turn (chunk 0 to every node, then chunk 1...),
   * {@link #IN_FLIGHT} at a time, as the swarm may have in flight, within the upload budget.
   */
  private static final class NaiveSender {
    private static final int IN_FLIGHT = 16;
    private final NetflowNode sender;
    private final Bucket upload;
    private final ModelManifest m;
    private final byte[] bytes;
    private final Promise<Void> done;
    private final int total;
    private int next;
    private int finished;
    private int inFlight;
    private boolean waiting;

    NaiveSender(NetflowNode sender, Bucket upload, ModelManifest m, byte[] bytes, Promise<Void> done) {
      this.sender = sender;
      this.upload = upload;
      this.m = m;
      this.bytes = bytes;
      this.done = done;
      this.total = (NODES - 1) * m.chunkCount();
    }

    /** Sends while there is room in flight and in the budget; waits for the budget otherwise. */
    void fill() {
      while (!waiting && inFlight < IN_FLIGHT && next < total) {
        int node = 1 + next % (NODES - 1);
        int chunk = next / (NODES - 1);
        int length = m.chunkLength(chunk);
        if (!upload.tryConsume(length)) {
          long wait = upload.estimateAbilityToConsume(length).getNanosToWaitForRefill();
          waiting = true;
          sender.vertx().setTimer(Math.max(1, wait / 1_000_000), t -> {
            waiting = false;
            fill();
          });
          return;
        }
        next++;
        inFlight++;
        Buffer b = Buffer.buffer().appendBytes(bytes, chunk * m.chunkSize(), length);
        sender.vertx().eventBus().request("bench.naive." + node, b,
          new DeliveryOptions().addHeader("chunk", String.valueOf(chunk)).setSendTimeout(60_000)).onComplete(ar -> {
            inFlight--;
            if (ar.failed()) {
              done.tryFail(ar.cause());
              return;
            }
            if (++finished == total) {
              done.complete();
            } else {
              fill();
            }
          });
      }
    }
  }
}
