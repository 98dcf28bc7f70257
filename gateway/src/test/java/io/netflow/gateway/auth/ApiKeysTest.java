package io.netflow.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  private final ApiKeys keys = ApiKeys.parse(List.of(
    ApiKeys.entry("game", "s1", "publish:match.* publish:telemetry subscribe:match-*"),
    ApiKeys.entry("device", "s2", "contribute"),
    ApiKeys.entry("ops", "s3", "admin")));

  @Test
  void scopesMatchByPattern() {
    ApiKeys.Principal game = keys.authenticate("s1").orElseThrow();
    assertThat(game.keyId()).isEqualTo("game");
    assertThat(game.may("publish", "match.eu")).isTrue();
    assertThat(game.may("publish", "telemetry")).isTrue();
    assertThat(game.may("publish", "telemetry2")).isFalse();
    assertThat(game.may("publish", "ai-inference")).isFalse();
    assertThat(game.may("subscribe", "match-7")).isTrue();
    assertThat(game.may("subscribe", "match.eu")).isFalse();
    assertThat(keys.authenticate("s2").orElseThrow().has("contribute")).isTrue();
    assertThat(keys.authenticate("s2").orElseThrow().may("publish", "x")).isFalse();
    assertThat(keys.authenticate("s3").orElseThrow().may("publish", "anything")).isTrue();
  }

  @Test
  void unknownSecretsAndBadEntriesAreRefused() {
    assertThat(keys.authenticate("nope")).isEmpty();
    assertThat(keys.authenticate(null)).isEmpty();
    assertThatThrownBy(() -> ApiKeys.parse(List.of("x:abc:admin"))).hasMessageContaining("must be id:sha256hex:scopes");
    assertThatThrownBy(() -> ApiKeys.parse(List.of(ApiKeys.entry("x", "s", "publish:* Root!"))))
      .hasMessageContaining("malformed scope 'Root!'");
  }

  @Test
  void aKeyMayNameOnlyScopesSomePartOfTheNodeChecks() {
    List<Scope> known = List.of(new Scope("publish", true, ""), new Scope("subscribe", true, ""),
      new Scope("contribute", false, ""));
    keys.requireKnown(known);
    assertThatThrownBy(() -> ApiKeys.parse(List.of(ApiKeys.entry("x", "s", "publish:* root"))).requireKnown(known))
      .hasMessageContaining("unknown scope 'root'").hasMessageContaining("admin, publish:<glob>, subscribe:<glob>, contribute");
    // A scope that takes a pattern needs one, and one that stands alone takes none.
    assertThatThrownBy(() -> ApiKeys.parse(List.of(ApiKeys.entry("x", "s", "publish"))).requireKnown(known))
      .hasMessageContaining("unknown scope 'publish'");
    assertThatThrownBy(() -> ApiKeys.parse(List.of(ApiKeys.entry("x", "s", "contribute:x*"))).requireKnown(known))
      .hasMessageContaining("unknown scope 'contribute:x*'");
  }
}
