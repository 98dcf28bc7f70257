package io.netflow.gateway.auth;

/**
 * An API-key scope a part of the node checks: {@code contribute}, or {@code publish:<glob>} when
 * it takes a pattern of names. Each part declares its own; {@link ApiKeys} refuses a key that names
 * a scope no part declared, so a typo fails at start-up rather than silently granting nothing.
 *
 * @param name    the scope's name ({@code publish}, {@code contribute})
 * @param pattern whether it takes a glob of names ({@code publish:match-*}) rather than standing alone
 * @param doc     what it lets a key do, for the docs and error messages
 */
public record Scope(String name, boolean pattern, String doc) {

  /** Any route: every scope, and the admin routes. */
  public static final Scope ADMIN = new Scope("admin", false, "everything, and the admin routes");

  public Scope {
    if (!name.matches("[a-z][a-z0-9-]{0,31}")) {
      throw new IllegalArgumentException("bad scope name '" + name + "'");
    }
  }

  /** How a key's config entry spells it. */
  public String syntax() {
    return pattern ? name + ":<glob>" : name;
  }
}
