package io.netflow.gateway.http;

import static io.netflow.testing.OptionsAssert.refuses;
import static io.netflow.testing.OptionsAssert.roundTrips;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class HttpOptionsTest {

  /** Every setting away from its default, each inside its range. */
  private static HttpOptions changed() {
    return new HttpOptions()
      .setHost("0.0.0.0")
      .setPort(9443)
      .setPortCount(3)
      .setMaxWebSocketBytes(4096)
      .setIdleTimeoutSeconds(0)
      .setWebSocketCompression(true)
      .setTls("/etc/netflow/cert.pem", "/etc/netflow/key.pem")
      .setMaxConnections(7)
      .setInstances(3)
      .setCorsOrigins(java.util.List.of("https://play.example:8443", "http://localhost:3000"));
  }

  @Test
  void eachSetterRefusesAValueJustOutOfRangeNamingItsKey() {
    HttpOptions o = new HttpOptions();
    refuses(() -> o.setPort(-1), "http.port", "-1");
    refuses(() -> o.setPort(65536), "http.port", "65536");
    refuses(() -> o.setPortCount(0), "http.port-count", "0");
    refuses(() -> o.setPortCount(1001), "http.port-count", "1001");
    refuses(() -> o.setMaxWebSocketBytes(1023), "gateway.ws-max-frame-bytes", "1023");
    refuses(() -> o.setMaxWebSocketBytes((64 << 20) + 1), "gateway.ws-max-frame-bytes", "67108865");
    refuses(() -> o.setIdleTimeoutSeconds(-1), "gateway.idle-timeout-seconds", "-1");
    refuses(() -> o.setIdleTimeoutSeconds(86_401), "gateway.idle-timeout-seconds", "86401");
    refuses(() -> o.setMaxConnections(0), "gateway.max-connections", "0");
    refuses(() -> o.setMaxConnections(10_000_001), "gateway.max-connections", "10000001");
    refuses(() -> o.setInstances(-1), "gateway.instances", "-1");
    refuses(() -> o.setInstances(1025), "gateway.instances", "1025");
    refuses(() -> o.setHost(""), "http.host", "''");
    refuses(() -> o.setCorsOrigins(java.util.List.of("play.example")), "gateway.cors-origins", "'play.example'");
    refuses(() -> o.setCorsOrigins(java.util.List.of("https://play.example/path")), "gateway.cors-origins",
      "'https://play.example/path'");
    refuses(() -> o.setHost("-bad"), "http.host", "'-bad'");
    refuses(() -> o.setHost(null), "http.host", "null");
    refuses(() -> o.setTls("a".repeat(4097), "key.pem"), "http.tls-cert", "'" + "a".repeat(4097) + "'");
    refuses(() -> o.setTls("cert.pem", "key\n.pem"), "http.tls-key", "'key\n.pem'");
    assertThatThrownBy(() -> o.setTls("cert.pem", ""))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessage("http.tls-cert and http.tls-key must both be set or both be empty, got 'cert.pem' and ''");
    assertThat(o.toJson()).as("nothing refused was kept").isEqualTo(new HttpOptions().toJson());
  }

  @Test
  void theEdgesOfEachRangeAreAccepted() {
    HttpOptions o = new HttpOptions().setPort(0).setPort(65535).setPortCount(1).setPortCount(1000)
      .setMaxWebSocketBytes(1024).setMaxWebSocketBytes(64 << 20).setIdleTimeoutSeconds(0).setIdleTimeoutSeconds(86_400)
      .setMaxConnections(1).setMaxConnections(10_000_000).setInstances(0).setInstances(1024).setHost("a").setTls("", "")
      .setCorsOrigins(java.util.List.of("*")).setCorsOrigins(java.util.List.of());
    assertThat(o.isTls()).isFalse();
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    HttpOptions changed = changed();
    assertThat(changed.toJson().fieldNames()).containsExactlyInAnyOrder("host", "port", "portCount",
      "maxWebSocketBytes", "idleTimeoutSeconds", "webSocketCompression", "tlsCertPath", "tlsKeyPath",
      "maxConnections", "instances", "corsOrigins");
    roundTrips(new HttpOptions().toJson(), changed.toJson(), json -> new HttpOptions(json).toJson());
    assertThat(new HttpOptions(changed).toJson()).isEqualTo(changed.toJson());
    assertThat(new HttpOptions(changed.toJson()).isTls()).isTrue();
  }

  @Test
  void absentAndUnknownFieldsLeaveTheDefaults() {
    assertThat(new HttpOptions(new JsonObject().put("noSuchSetting", 1).put("port-count", 5)).toJson())
      .isEqualTo(new HttpOptions().toJson());
  }

  @Test
  void aBadJsonValueFailsNamingItsKey() {
    refuses(() -> new HttpOptions(new JsonObject().put("port", 65536)), "http.port", "65536");
    refuses(() -> new HttpOptions(new JsonObject().put("port", "8080")), "http.port", "'8080'");
    refuses(() -> new HttpOptions(new JsonObject().put("portCount", 2.5)), "http.port-count", "2.5");
    refuses(() -> new HttpOptions(new JsonObject().put("host", 127)), "http.host", "127");
    refuses(() -> new HttpOptions(new JsonObject().put("corsOrigins", "*")), "gateway.cors-origins", "'*'");
    refuses(() -> new HttpOptions(new JsonObject().put("webSocketCompression", "deflate")), "gateway.ws-compression",
      "'deflate'");
    assertThatThrownBy(() -> new HttpOptions(new JsonObject().put("tlsKeyPath", "key.pem")))
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageStartingWith("http.tls-cert and http.tls-key must both be set");
  }
}
