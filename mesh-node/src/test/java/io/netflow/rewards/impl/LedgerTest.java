package io.netflow.rewards.impl;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastJsonValue;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.rewards.Contribution;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger on a real member: a credit is made once, and every credit this node made is on its disk. */
class LedgerTest {

  private TestMesh mesh;
  private NetflowNode node;
  private Path dir;

  @BeforeEach
  void start() throws Exception {
    mesh = new TestMesh();
    node = mesh.start("a");
    dir = Files.createTempDirectory("ledger-test");
  }

  @AfterEach
  void close() throws Exception {
    mesh.close();
  }

  private static Contribution contribution(String id, String sha256) {
    return new Contribution(id, "device-1", "telemetry", 3, sha256, new byte[3], null);
  }

  /**
   * Hazelcast retries a put whose member left mid-call, and the retry finds the record it had
   * written: that is still this credit (created, and journaled), while a retry of the contribution
   * itself finds the credit made before.
   */
  @Test
  void aRetriedPutFindingItsOwnRecordIsStillCreatedAndJournaled() throws Exception {
    Contribution c = contribution("c1", "ab".repeat(32));
    JsonObject record = new JsonObject().put("key", c.key()).put("sha256", c.sha256()).put("credits", 2.5);
    var credits = TestMesh.hazelcast(node).<String, HazelcastJsonValue>getMap(Ledger.CREDITS);
    credits.put(c.key(), new HazelcastJsonValue(record.encode()));

    try (Journal journal = new Journal(dir.resolve("ledger.jsonl"))) {
      Ledger ledger = new Ledger(TestMesh.hazelcast(node), journal);
      Ledger.Outcome outcome = ledger.credit(c, record);
      assertThat(outcome.created()).isTrue();
      assertThat(journal.has(c.key())).as("on this node's disk").isTrue();

      JsonObject later = record.copy().put("credits", 1.0);
      Ledger.Outcome retry = ledger.credit(c, later);
      assertThat(retry.created()).as("the contribution sent again").isFalse();
      assertThat(retry.record().getDouble("credits")).as("the first credit stands").isEqualTo(2.5);
    }
  }
}
