package io.netflow.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netflow.gateway.http.MessageForm;
import io.netflow.gateway.protocol.EnvelopeCodec;
import io.netflow.gateway.protocol.MeshException;
import io.netflow.membership.LoadReport;
import io.netflow.mesh.impl.LinkAnswers;
import io.netflow.mesh.impl.LinkFrame;
import io.netflow.models.ModelManifest;
import io.netflow.rewards.Contribution;
import io.netflow.rewards.RewardOptions;
import io.netflow.scheduling.SchedulerOptions;
import io.netflow.scheduling.impl.WorkRequests;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Everything NetFlow reads from outside, fuzzed: bad input must end in the error the parser
 * documents (a {@link MeshException} with its code, or {@link IllegalArgumentException} for a
 * peer's load report), never in any other exception. Every test run replays the corpus under
 * {@code src/test/resources/io/netflow/fuzz/ProtocolFuzzTestInputs/}; {@code .ci/fuzz} fuzzes each
 * target for a bounded time ({@code JAZZER_FUZZ=1}).
 */
class ProtocolFuzzTest {

  private static final SchedulerOptions WORK = new SchedulerOptions();
  private static final RewardOptions REWARDS = new RewardOptions();

  /** A peer's envelope off the wire. */
  @FuzzTest(maxDuration = "30s")
  void envelopeDecoding(byte[] data) {
    try {
      new EnvelopeCodec().decodeFromWire(0, Buffer.buffer(data));
    } catch (MeshException expected) {
      // a clear, coded refusal
    }
  }

  /** A peer's frame of envelopes, and its answers, off the wire: a corrupt item is refused alone, a corrupt frame whole. */
  @FuzzTest(maxDuration = "30s")
  void linkFrames(byte[] data) {
    try {
      new LinkFrame.Codec().decodeFromWire(0, Buffer.buffer(data));
    } catch (MeshException expected) {
      // a clear, coded refusal
    }
    // Never throws: what cannot be read comes back marked unreadable.
    new LinkAnswers.Codec().decodeFromWire(0, Buffer.buffer(data));
  }

  /**
   * A message from a game server: an HTTP body (raw bytes, streamed) and a WebSocket frame (parsed
   * first), each taken as far as the envelope the mesh carries.
   */
  @FuzzTest(maxDuration = "30s")
  void messageBodies(byte[] data) {
    try {
      MessageForm.parse(Buffer.buffer(data), 5_000).envelope();
    } catch (MeshException expected) {
      // refused with its code
    }
    Object json = json(data);
    if (json == null) {
      return;
    }
    try {
      MessageForm.parse(json, 5_000).envelope();
    } catch (MeshException expected) {
      // refused with its code
    }
  }

  /** A work request (HTTP or the bus). */
  @FuzzTest(maxDuration = "30s")
  void workRequests(byte[] data) {
    Object json = json(data);
    if (json == null) {
      return;
    }
    try {
      WorkRequests.parse(json, "fuzz", WORK, 1_000_000L);
    } catch (MeshException expected) {
      // refused with its code
    }
  }

  /** A Micro Node's contribution. */
  @FuzzTest(maxDuration = "30s")
  void contributions(byte[] data) {
    Object json = json(data);
    if (json == null) {
      return;
    }
    try {
      Contribution.parse(json, "device", REWARDS);
    } catch (MeshException expected) {
      // refused with its code
    }
  }

  /** A model manifest announced by a peer. */
  @FuzzTest(maxDuration = "30s")
  void manifests(byte[] data) {
    if (json(data) instanceof JsonObject manifest) {
      try {
        ModelManifest.fromJson(manifest);
      } catch (MeshException expected) {
        // refused with its code
      }
    }
  }

  /** A peer's load report. */
  @FuzzTest(maxDuration = "30s")
  void loadReports(byte[] data) {
    if (json(data) instanceof JsonObject report) {
      try {
        LoadReport.fromJson(report);
      } catch (IllegalArgumentException expected) {
        // refused and counted by the membership verticle
      }
    }
  }

  /** The body as JSON, as the gateway reads it; null when it is not JSON (answered MALFORMED before any parser). */
  private static Object json(byte[] data) {
    try {
      return Buffer.buffer(data).toJsonValue();
    } catch (DecodeException | IllegalArgumentException e) {
      return null;
    }
  }
}
