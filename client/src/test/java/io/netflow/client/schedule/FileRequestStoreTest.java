package io.netflow.client.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device's queue on disk: what a crash can leave behind, and its bounds. */
class FileRequestStoreTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static DataRequest request(String id, long size) {
    Instant t = Instant.ofEpochMilli(1_000_000);
    return new DataRequest(id, "contribution", RequestClass.NORMAL, t.plusSeconds(3600), size, 5, t,
      JSON.createObjectNode().put("id", id));
  }

  @Test
  void whatWasKeptIsFoundAgainAndARequestThatEndedBeforeTheCrashDoesNotRunAgain() throws Exception {
    FileRequestStore store = new FileRequestStore(dir, 10, 1_000, 10);
    store.put(request("a", 10));
    store.put(request("b", 10));
    store.put(request("c", 10));
    store.end(new Receipt("a", "contribution", true, Instant.ofEpochMilli(2_000_000), true, JSON.createObjectNode().put("points", 7)));
    // A crash between writing b's receipt and deleting its pending file, and a half-written temp file.
    Files.writeString(dir.resolve("receipts").resolve("b.json"),
      new Receipt("b", "contribution", true, Instant.ofEpochMilli(2_000_001), true, JSON.createObjectNode()).toJson().toString());
    Files.writeString(dir.resolve("tmp").resolve("d.json"), "{\"id\":\"d\",\"kin");

    FileRequestStore reopened = new FileRequestStore(dir, 10, 1_000, 10);
    assertThat(reopened.pending()).extracting(DataRequest::id).containsExactly("c");
    assertThat(reopened.pending().iterator().next()).isEqualTo(request("c", 10));
    assertThat(reopened.receipt("a")).hasValueSatisfying(r -> assertThat(r.body().path("points").asInt()).isEqualTo(7));
    assertThat(reopened.receipt("b")).isPresent();
    assertThat(reopened.put(request("a", 10))).as("an ended request is not queued again").isFalse();
    assertThat(Files.list(dir.resolve("tmp")).count()).isZero();
    assertThat(Files.exists(dir.resolve("pending").resolve("b.json"))).isFalse();
  }

  @Test
  void boundsRefuseNewRequestsAndOldReceiptsGoFirst() {
    FileRequestStore store = new FileRequestStore(dir, 2, 100, 2);
    store.put(request("a", 60));
    assertThatThrownBy(() -> store.put(request("b", 60))).isInstanceOf(RequestStore.QueueFullException.class);
    store.put(request("b", 40));
    assertThatThrownBy(() -> store.put(request("c", 0))).isInstanceOf(RequestStore.QueueFullException.class);
    assertThat(store.pending()).hasSize(2);
    for (String id : new String[] {"a", "b"}) {
      store.end(new Receipt(id, "contribution", true, Instant.now(), true, JSON.createObjectNode()));
    }
    store.put(request("c", 10));
    store.end(new Receipt("c", "contribution", true, Instant.now(), true, JSON.createObjectNode()));
    assertThat(store.receipt("a")).as("the oldest receipt past maxReceipts").isEmpty();
    assertThat(store.receipt("b")).isPresent();
    assertThat(store.receipt("c")).isPresent();
  }
}
