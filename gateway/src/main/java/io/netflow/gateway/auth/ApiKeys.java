package io.netflow.gateway.auth;

import io.netflow.gateway.protocol.Sha256;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API keys a node accepts, each stored as the SHA-256 of the secret, never the secret. One
 * config entry per key: {@code id:sha256hex:scope scope ...}. A scope is a name ({@code admin},
 * {@code contribute}) or a name and a glob of the names it covers ({@code publish:match.*}, where
 * {@code *} stands for any run of characters); which scopes exist is up to the parts of the node
 * that check them ({@link Scope}, {@link #requireKnown}).
 */
public final class ApiKeys {

  /** A caller who presented a known key. */
  public record Principal(String keyId, List<String> scopes, Map<String, List<Pattern>> patterns) {

    public Principal {
      scopes = List.copyOf(scopes);
      patterns = Map.copyOf(patterns);
    }

    Principal(String keyId, List<String> scopes) {
      this(keyId, scopes, compile(scopes));
    }

    /** Whether this key may do {@code action} ({@code publish}, {@code subscribe}, {@code work}) on {@code name}. */
    public boolean may(String action, String name) {
      if (scopes.contains("admin")) {
        return true;
      }
      for (Pattern p : patterns.getOrDefault(action, List.of())) {
        if (p.matcher(name).matches()) {
          return true;
        }
      }
      return false;
    }

    /** Each action's globs ({@code publish:match.*}), compiled once per key. */
    private static Map<String, List<Pattern>> compile(List<String> scopes) {
      Map<String, List<Pattern>> out = new HashMap<>();
      for (String s : scopes) {
        int colon = s.indexOf(':');
        if (colon > 0) {
          out.computeIfAbsent(s.substring(0, colon), a -> new ArrayList<>()).add(glob(s.substring(colon + 1)));
        }
      }
      out.replaceAll((action, globs) -> List.copyOf(globs));
      return out;
    }

    /** Whether this key holds a scope with no pattern ({@code admin}, {@code contribute}). */
    public boolean has(String scope) {
      return scopes.contains(scope) || scopes.contains("admin");
    }
  }

  private static final Pattern ENTRY = Pattern.compile("([A-Za-z0-9._-]{1,64}):([0-9a-fA-F]{64}):(.+)");
  private static final Pattern SCOPE = Pattern.compile("([a-z][a-z0-9-]{0,31})(:[a-z0-9._*/-]{1,128})?");

  private record Key(byte[] digest, Principal principal) {
  }

  private final List<Key> keys;

  private ApiKeys(List<Key> keys) {
    this.keys = List.copyOf(keys);
  }

  /**
   * Keys from config entries.
   *
   * @throws IllegalArgumentException naming the entry that is malformed
   */
  public static ApiKeys parse(List<String> entries) {
    List<Key> keys = new ArrayList<>();
    for (String entry : entries) {
      var m = ENTRY.matcher(entry.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("API key entry '" + entry + "' must be id:sha256hex:scopes");
      }
      List<String> scopes = List.of(m.group(3).trim().split("\\s+"));
      for (String s : scopes) {
        if (!SCOPE.matcher(s).matches()) {
          throw new IllegalArgumentException("API key " + m.group(1) + " has malformed scope '" + s
            + "'; a scope is a name, or name:<glob> (letters, digits, '.', '_', '-', '/', '*')");
        }
      }
      keys.add(new Key(HexFormat.of().parseHex(m.group(2).toLowerCase()), new Principal(m.group(1), scopes)));
    }
    return new ApiKeys(keys);
  }

  /** The key's owner, if {@code secret} is one of the keys (compared in constant time). */
  public Optional<Principal> authenticate(String secret) {
    if (secret == null || secret.isEmpty()) {
      return Optional.empty();
    }
    byte[] given = Sha256.of(secret);
    Principal found = null;
    for (Key k : keys) {
      if (MessageDigest.isEqual(k.digest(), given)) {
        found = k.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * Checks that every key names only scopes some part of the node checks (as a name alone or as
   * {@code name:<glob>}, as declared), so that a typo fails at start-up instead of granting nothing.
   *
   * @throws IllegalArgumentException naming the key, the scope and the scopes there are
   */
  public void requireKnown(List<Scope> known) {
    for (Key k : keys) {
      for (String s : k.principal().scopes()) {
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        boolean ok = name.equals(Scope.ADMIN.name()) && colon < 0 || known.stream()
          .anyMatch(sc -> sc.name().equals(name) && sc.pattern() == (colon >= 0));
        if (!ok) {
          StringBuilder all = new StringBuilder(Scope.ADMIN.syntax());
          known.forEach(sc -> all.append(", ").append(sc.syntax()));
          throw new IllegalArgumentException("API key " + k.principal().keyId() + " has unknown scope '" + s
            + "'; scopes are " + all);
        }
      }
    }
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** These keys and {@code others}. */
  public ApiKeys with(ApiKeys others) {
    List<Key> all = new ArrayList<>(keys);
    all.addAll(others.keys);
    return new ApiKeys(all);
  }

  /** The SHA-256 (lowercase hex) under which a secret is stored. */
  public static String sha256Hex(String secret) {
    return Sha256.hex(secret);
  }

  /** The config entry for a new key: what an operator puts in {@code gateway.api-keys}. */
  public static String entry(String id, String secret, String scopes) {
    return id + ":" + sha256Hex(secret) + ":" + scopes;
  }

  static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      re.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(re.toString());
  }

}
