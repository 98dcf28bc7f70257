package io.netflow.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.function.UnaryOperator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions every options class is held to: refusals that explain themselves, and a lossless JSON form. */
public final class OptionsAssert {

  private OptionsAssert() {
  }

  /**
   * Asserts that {@code call} throws {@link IllegalArgumentException} whose message starts with the
   * config key, says what the key must be, and ends with the value refused, as shown.
   */
  public static void refuses(ThrowingCallable call, String key, String shownValue) {
    assertThatThrownBy(call)
      .isInstanceOf(IllegalArgumentException.class)
      .hasMessageStartingWith(key + " ")
      .hasMessageContaining(" must ")
      .hasMessageEndingWith("got " + shownValue);
  }

  /**
   * Asserts that {@code changed}, the JSON of options with every setting away from its default, has
   * exactly the fields of {@code defaults}, each with another value; and that {@code reread} (the JSON
   * constructor, then {@code toJson()}) gives it back unchanged, both as it is and after a trip
   * through text (from which a long that fits comes back an Integer).
   */
  public static void roundTrips(JsonObject defaults, JsonObject changed, UnaryOperator<JsonObject> reread) {
    assertThat(changed.fieldNames()).containsExactlyInAnyOrderElementsOf(defaults.fieldNames());
    for (String field : defaults.fieldNames()) {
      assertThat(changed.getValue(field)).as("%s differs from its default", field)
        .isNotEqualTo(defaults.getValue(field));
    }
    assertThat(reread.apply(changed.copy())).isEqualTo(changed);
    assertThat(reread.apply(new JsonObject(changed.encode()))).isEqualTo(changed);
  }
}
