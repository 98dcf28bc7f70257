package io.netflow.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.node.NetflowNode;
import io.netflow.node.TestMesh;
import io.netflow.node.config.NodeKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The work API over HTTP: every status and error code a game server can meet. */
class WorkRoutesTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestMesh mesh;
  private static NetflowNode node;

  @BeforeAll
  static void start() throws Exception {
    mesh = new TestMesh();
    node = mesh.start("a", cfg -> cfg.set(NodeKeys.API_KEYS, List.of(
      ApiKeys.entry("trainer", "t", "work:train* work:deliver"), ApiKeys.entry("other", "o", "work:train*"),
      ApiKeys.entry("ops", "admin", "admin"))).set(NodeKeys.WORK_PAYLOAD, 1_000));
    Promise<Object> never = Promise.promise();
    node.scheduler().handle("train-slow", w -> never.future());
    node.scheduler().handle("train-fast", w -> Future.succeededFuture(new JsonObject().put("loss", 0.25)));
  }

  @AfterAll
  static void stop() throws Exception {
    mesh.close();
  }

  private static HttpResponse<String> send(String method, String key, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).timeout(Duration.ofSeconds(10))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> r, int status, int code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(new JsonObject(r.body()).getInteger("code")).as(r.body()).isEqualTo(code);
  }

  private static JsonObject awaitState(String key, String id, String state) throws Exception {
    JsonObject[] last = new JsonObject[1];
    TestMesh.await(Duration.ofSeconds(10), id + " " + state, () -> {
      try {
        last[0] = new JsonObject(send("GET", key, "/v1/work/" + id, null).body());
        return state.equals(last[0].getString("state"));
      } catch (Exception e) {
        return false;
      }
    });
    return last[0];
  }

  @Test
  void submitReadAndRetryByHttp() throws Exception {
    String body = new JsonObject().put("id", "http-1").put("kind", "train-fast").put("class", "NORMAL")
      .put("deadlineInMs", 30_000).put("cost", 2).put("payload", new JsonObject().put("epoch", 3)).encode();
    HttpResponse<String> created = send("POST", "t", "/v1/work", body);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("Location")).contains("/v1/work/http-1");
    assertThat(new JsonObject(created.body()).getString("submittedBy")).isEqualTo("trainer");
    JsonObject done = awaitState("t", "http-1", "SUCCEEDED");
    assertThat(done.getJsonObject("result")).isEqualTo(new JsonObject().put("loss", 0.25));
    assertThat(done.getBoolean("late")).isFalse();
    HttpResponse<String> again = send("POST", "t", "/v1/work", body);
    assertThat(again.statusCode()).as("a retry returns the item").isEqualTo(200);
    assertThat(new JsonObject(again.body()).getString("state")).isEqualTo("SUCCEEDED");
    // Only its submitter (or an admin) sees it.
    assertError(send("GET", "o", "/v1/work/http-1", null), 404, 1004);
    assertThat(send("GET", "admin", "/v1/work/http-1", null).statusCode()).isEqualTo(200);
  }

  @Test
  void cancelByHttp() throws Exception {
    send("POST", "t", "/v1/work", new JsonObject().put("id", "slow-1").put("kind", "train-slow").encode());
    awaitState("t", "slow-1", "RUNNING");
    HttpResponse<String> cancelling = send("DELETE", "t", "/v1/work/slow-1", null);
    assertThat(cancelling.statusCode()).as(cancelling.body()).isEqualTo(202);
    send("POST", "t", "/v1/work", new JsonObject().put("id", "never-runs").put("kind", "train-unhandled").encode());
    HttpResponse<String> cancelled = send("DELETE", "t", "/v1/work/never-runs", null);
    assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
    assertThat(new JsonObject(cancelled.body()).getString("state")).isEqualTo("CANCELLED");
    assertError(send("DELETE", "t", "/v1/work/never-runs", null), 409, 1020);
    assertError(send("DELETE", "o", "/v1/work/slow-1", null), 404, 1004);
    assertError(send("DELETE", "t", "/v1/work/no-such-item", null), 404, 1004);
  }

  @Test
  void badRequestsGetTheirCodes() throws Exception {
    assertError(send("POST", null, "/v1/work", "{\"kind\":\"train-fast\"}"), 401, 1002);
    assertError(send("POST", "o", "/v1/work", "{\"kind\":\"deliver\",\"service\":\"x\"}"), 403, 1003);
    assertError(send("POST", "t", "/v1/work", "{\"kind\":"), 400, 1001);
    assertError(send("POST", "t", "/v1/work", "[1,2]"), 400, 1001);
    HttpResponse<String> wrongType = send("POST", "t", "/v1/work", "{\"kind\":\"train-fast\",\"cost\":\"cheap\"}");
    assertError(wrongType, 400, 1001);
    assertThat(new JsonObject(wrongType.body()).getString("message")).contains("/cost");
    assertError(send("POST", "t", "/v1/work", "{\"kind\":\"deliver\"}"), 400, 1001);
    assertError(send("POST", "t", "/v1/work", new JsonObject().put("kind", "train-fast")
      .put("payload", "x".repeat(2_000)).encode()), 413, 1006);
    assertError(send("GET", "t", "/v1/work/nothing-here", null), 404, 1004);
  }
}
