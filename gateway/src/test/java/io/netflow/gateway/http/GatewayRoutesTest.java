package io.netflow.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netflow.gateway.auth.ApiKeys;
import io.netflow.gateway.protocol.Addresses;
import io.netflow.gateway.protocol.Envelope;
import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.Headers;
import io.netflow.gateway.protocol.IngressBatch;
import io.netflow.gateway.protocol.MeshException;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The message API against a stand-in for the engine's ingress: every path and error. */
@ExtendWith(VertxExtension.class)
class GatewayRoutesTest {

  private final Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger routed = new AtomicInteger();
  private GatewayOptions options;
  private WebClient client;
  private int port;

  @BeforeEach
  void deploy(Vertx vertx) {
    options = new GatewayOptions().setMaxBodyBytes(4096).setRatePerSecond(1).setRateBurst(10)
      .setApiKeys(List.of(ApiKeys.entry("game", "secret", "publish:match* publish:telemetry"),
        ApiKeys.entry("slow", "slow", "publish:*")));
    vertx.eventBus().<Buffer>localConsumer(Addresses.INGRESS, m -> {
      Map<String, String> h = new ConcurrentHashMap<>();
      m.headers().forEach(h::put);
      seen.put(m.headers().get(Headers.ID), h);
      if ("busy".equals(m.body().toString())) {
        MeshException x = new MeshException(ErrorCode.OVERLOADED, "all hosts busy", 1500);
        m.fail(x.code().code(), x.wireMessage());
        return;
      }
      m.reply(Buffer.buffer("pong:" + m.body()), new DeliveryOptions().addHeader(Headers.NODE, "node-1").addHeader(Headers.ATTEMPTS, "1"));
    }).completion().await();
    vertx.eventBus().<Buffer>localConsumer(Addresses.PUBLISH, m -> m.reply(Buffer.buffer())).completion().await();
    // NORMAL, MODEL and BULK requests come in batches and are answered once taken.
    IngressBatch.registerCodecs(vertx.eventBus());
    vertx.eventBus().<IngressBatch>localConsumer(Addresses.INGRESS_BATCH, m -> {
      List<IngressBatch.Outcome> outcomes = new ArrayList<>();
      for (Envelope e : m.body().envelopes()) {
        Map<String, String> h = new ConcurrentHashMap<>(Map.of(Headers.SERVICE, e.service(), Headers.PRIORITY, e.priority().name()));
        e.headers().forEach((k, v) -> h.put(Headers.PASS_PREFIX + k, v));
        seen.put(e.id(), h);
        outcomes.add("busy".equals(e.payload().toString())
          ? IngressBatch.Outcome.refused(new MeshException(ErrorCode.OVERLOADED, "all hosts busy", 1500))
          : IngressBatch.Outcome.taken("node-1"));
      }
      m.reply(new IngressBatch.Outcomes(outcomes));
    }).completion().await();
    port = deploy(vertx, new HttpOptions().setPort(0));
    client = WebClient.create(vertx);
  }

  /** The message API on its own server; requests that went through the router are counted in {@link #routed}. */
  private int deploy(Vertx vertx, HttpOptions http) {
    HealthChecks none = HealthChecks.create(vertx);
    RouteContributor counter = (v, router) -> router.route().handler(ctx -> {
      routed.incrementAndGet();
      ctx.next();
    });
    HttpApiVerticle v = new HttpApiVerticle(http, none, none, registry, List.of(counter, new GatewayRoutes(options)));
    vertx.deployVerticle(v).await();
    return v.actualPort();
  }

  private HttpResponse<Buffer> post(String key, String body) {
    var req = client.post(port, "127.0.0.1", "/v1/messages");
    if (key != null) {
      req.bearerTokenAuthentication(key);
    }
    return req.sendBuffer(Buffer.buffer(body)).await();
  }

  private static void assertError(HttpResponse<Buffer> r, int status, ErrorCode code) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getInteger("code")).isEqualTo(code.code());
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo(code.name());
  }

  @Test
  void criticalRequestsAnswer200WithTheNodeAndOthers202() {
    HttpResponse<Buffer> r = post("secret", "{\"id\":\"a1\",\"service\":\"match\",\"priority\":\"CRITICAL\",\"key\":\"m-7\","
      + "\"headers\":{\"player\":\"p1\"},\"payload\":\"jump\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject().put("id", "a1").put("node", "node-1").put("attempts", 1)
      .put("reply", "pong:jump"));
    assertThat(seen.get("a1")).containsEntry(Headers.SERVICE, "match").containsEntry(Headers.PRIORITY, "CRITICAL")
      .containsEntry(Headers.KEY, "m-7").containsEntry(Headers.PASS_PREFIX + "player", "p1");
    HttpResponse<Buffer> bulk = post("secret", "{\"id\":\"b1\",\"service\":\"telemetry\",\"priority\":\"BULK\","
      + "\"headers\":{\"match\":\"m-7\"},\"payloadBase64\":\"AAEC\"}");
    assertThat(bulk.statusCode()).isEqualTo(202);
    // Answered once a node has taken it, not once served: the node, no reply.
    assertThat(bulk.bodyAsJsonObject()).isEqualTo(new JsonObject().put("id", "b1").put("node", "node-1"));
    assertThat(seen.get("b1")).containsEntry(Headers.SERVICE, "telemetry").containsEntry(Headers.PRIORITY, "BULK")
      .containsEntry(Headers.PASS_PREFIX + "match", "m-7");
    assertThat(post("secret", "{\"topic\":\"match-7.positions\",\"payload\":\"x\"}").statusCode()).isEqualTo(202);
  }

  @Test
  void authenticationAndScopes() {
    assertError(post(null, "{\"service\":\"match\"}"), 401, ErrorCode.UNAUTHENTICATED);
    assertError(post("wrong", "{\"service\":\"match\"}"), 401, ErrorCode.UNAUTHENTICATED);
    assertError(post("secret", "{\"service\":\"ai-inference\"}"), 403, ErrorCode.FORBIDDEN);
    // A key in the URL would land in every proxy's log: only the WebSocket (and SSE) routes read one there.
    HttpResponse<Buffer> inUrl = client.post(port, "127.0.0.1", "/v1/messages?key=secret")
      .sendBuffer(Buffer.buffer("{\"service\":\"match\"}")).await();
    assertError(inUrl, 401, ErrorCode.UNAUTHENTICATED);
    assertThat(seen).isEmpty();
  }

  @Test
  void badInputGetsItsCodeAndNothingReachesTheMesh() {
    assertError(post("secret", "{not json"), 400, ErrorCode.MALFORMED);
    assertError(post("secret", "[1,2]"), 400, ErrorCode.MALFORMED);
    assertError(post("secret", "{\"service\":\"match\",\"timeoutMs\":\"soon\"}"), 400, ErrorCode.MALFORMED);
    assertError(post("secret", "{\"payload\":\"x\"}"), 400, ErrorCode.NO_TARGET);
    assertError(post("secret", "{\"service\":\"match\",\"topic\":\"t\"}"), 400, ErrorCode.NO_TARGET);
    assertError(post("secret", "{\"service\":\"match\",\"priority\":\"URGENT\"}"), 400, ErrorCode.UNKNOWN_PRIORITY);
    assertError(post("secret", "{\"service\":\"match\",\"payload\":\"" + "x".repeat(5000) + "\"}"), 413, ErrorCode.TOO_LARGE);
    assertThat(seen).isEmpty();
  }

  @Test
  void overloadIsAnswered503WithRetryAfter() {
    HttpResponse<Buffer> r = post("secret", "{\"service\":\"match\",\"payload\":\"busy\"}");
    assertError(r, 503, ErrorCode.OVERLOADED);
    assertThat(r.getHeader("Retry-After")).isEqualTo("2");
  }

  @Test
  void aKeyOverItsRateGets429WithRetryAfter() {
    int limited = 0;
    for (int i = 0; i < 13; i++) {
      HttpResponse<Buffer> r = post("slow", "{\"service\":\"match\",\"payload\":\"x\"}");
      if (r.statusCode() == 429) {
        limited++;
        assertThat(r.getHeader("Retry-After")).isEqualTo("1");
        assertThat(r.bodyAsJsonObject().getInteger("code")).isEqualTo(ErrorCode.RATE_LIMITED.code());
      }
    }
    // A burst of 10, then about one a second.
    assertThat(limited).isBetween(2, 3);
    // Another key is not held back.
    assertThat(post("secret", "{\"service\":\"match\",\"payload\":\"x\"}").statusCode()).isEqualTo(202);
  }

  /**
   * Every call sends a message with {@code POST /v1/messages}: a plain one (a stated length) is served
   * without the router ({@link DirectRoute}), a chunked one through it; both are answered alike, and
   * metered under the route.
   */
  @Test
  void plainMessagesAreServedWithoutTheRouterAndOthersThroughItAlike(Vertx vertx) {
    String bulk = "{\"id\":\"d1\",\"service\":\"telemetry\",\"priority\":\"BULK\",\"payload\":\"x\"}";
    HttpResponse<Buffer> plain = post("secret", bulk);
    assertThat(plain.statusCode()).isEqualTo(202);
    assertThat(plain.bodyAsJsonObject()).isEqualTo(new JsonObject().put("id", "d1").put("node", "node-1"));
    assertThat(routed).as("served without the router").hasValue(0);

    JsonObject chunked = chunked(vertx, "secret", bulk.replace("d1", "d2"));
    assertThat(chunked.getInteger("status")).isEqualTo(202);
    assertThat(chunked.getJsonObject("body")).isEqualTo(new JsonObject().put("id", "d2").put("node", "node-1"));
    assertThat(routed).as("through the router").hasValue(1);
    JsonObject refused = chunked(vertx, "wrong", bulk);
    assertThat(refused.getInteger("status")).isEqualTo(401);
    assertThat(refused.getJsonObject("body").getString("error")).isEqualTo(ErrorCode.UNAUTHENTICATED.name());

    assertThat(registry.get(HttpMetrics.NAME).tags("route", "/v1/messages", "method", "POST", "code", "202").timer().count())
      .as("both metered under the route").isEqualTo(2);
    assertThat(registry.get(HttpMetrics.NAME).tags("route", "/v1/messages", "code", "401").timer().count()).isEqualTo(1);
  }

  /** With CORS on, a browser's request (it names its origin) goes through the router, whose CORS handler answers it. */
  @Test
  void aBrowsersMessageIsAnsweredWithItsCorsHeaders(Vertx vertx) {
    int cors = deploy(vertx, new HttpOptions().setPort(0).setCorsOrigins(List.of("https://play.example")));
    String bulk = "{\"service\":\"telemetry\",\"priority\":\"BULK\",\"payload\":\"x\"}";
    HttpResponse<Buffer> browser = client.post(cors, "127.0.0.1", "/v1/messages").bearerTokenAuthentication("secret")
      .putHeader("Origin", "https://play.example").sendBuffer(Buffer.buffer(bulk)).await();
    assertThat(browser.statusCode()).isEqualTo(202);
    assertThat(browser.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://play.example");
    assertThat(routed).hasValue(1);
    HttpResponse<Buffer> server = client.post(cors, "127.0.0.1", "/v1/messages").bearerTokenAuthentication("secret")
      .sendBuffer(Buffer.buffer(bulk)).await();
    assertThat(server.statusCode()).isEqualTo(202);
    assertThat(routed).as("a game server's is served without the router").hasValue(1);
  }

  /**
   * A request that states a length and a transfer coding at once (HTTP/1.0 keeps both) is not
   * served directly, where the stated length is what bounds the body: it takes the router, whose
   * body handler counts what it reads against the limit.
   */
  @Test
  void aLengthAndATransferCodingAtOnceTakeTheRouter(Vertx vertx) {
    String chunk = "x".repeat(5000);
    String request = "POST /v1/messages HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer secret\r\n"
      + "Content-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n"
      + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n";
    NetClient net = vertx.createNetClient();
    Promise<String> answer = Promise.promise();
    net.connect(port, "127.0.0.1").onSuccess(socket -> {
      Buffer got = Buffer.buffer();
      socket.handler(got::appendBuffer);
      socket.closeHandler(v -> answer.tryComplete(got.toString()));
      socket.write(request);
    }).onFailure(answer::fail);
    String response = answer.future().eventually(net::close).await();
    assertThat(response).as(response).startsWith("HTTP/1.").doesNotContain(" 202 ");
    assertThat(response.substring(9, 10)).as("a 4xx").isEqualTo("4");
    assertThat(routed).as("through the router").hasValue(1);
    assertThat(seen).isEmpty();
  }

  /** Sends {@code body} chunked (no stated length); {@code {status, body}}. */
  private JsonObject chunked(Vertx vertx, String key, String body) {
    HttpClient http = vertx.createHttpClient();
    return http.request(HttpMethod.POST, port, "127.0.0.1", "/v1/messages")
      .compose(req -> req.setChunked(true).putHeader("Authorization", "Bearer " + key).send(Buffer.buffer(body)))
      .compose(resp -> resp.body().map(b -> new JsonObject().put("status", resp.statusCode()).put("body", b.toJsonObject())))
      .eventually(http::close).await();
  }
}
