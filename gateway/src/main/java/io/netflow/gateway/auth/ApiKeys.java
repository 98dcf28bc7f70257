package io.netflow.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API keys a node accepts, each stored as the SHA-256 of the secret, never the secret. One
 * config entry per key: {@code id:sha256hex:scope scope ...}, scopes being {@code publish:<glob>},
 * {@code subscribe:<glob>}, {@code work:<glob>} (submit deferred work of matching kinds), {@code contribute}
 * and {@code admin}, where a glob matches service, topic or work-kind names and {@code *} stands for any run of characters ({@code publish:match.*}).
 */
public final class ApiKeys {

  /** A caller who presented a known key. */
  public record Principal(String keyId, List<String> scopes) {

    /** Whether this key may do {@code action} ({@code publish}, {@code subscribe}, {@code work}) on {@code name}. */
    public boolean may(String action, String name) {
      for (String s : scopes) {
        if (s.equals("admin")) {
          return true;
        }
        if (s.startsWith(action + ":") && glob(s.substring(action.length() + 1)).matcher(name).matches()) {
          return true;
        }
      }
      return false;
    }

    /** Whether this key holds a scope with no pattern ({@code admin}, {@code contribute}). */
    public boolean has(String scope) {
      return scopes.contains(scope) || scopes.contains("admin");
    }
  }

  private static final Pattern ENTRY = Pattern.compile("([A-Za-z0-9._-]{1,64}):([0-9a-fA-F]{64}):(.+)");
  private static final Pattern SCOPE = Pattern.compile("admin|contribute|(publish|subscribe|work):[a-z0-9._*-]{1,128}");

  private record Key(String id, byte[] digest, List<String> scopes) {
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
          throw new IllegalArgumentException("API key " + m.group(1) + " has unknown scope '" + s
            + "'; scopes are admin, contribute, publish:<glob>, subscribe:<glob>, work:<glob>");
        }
      }
      keys.add(new Key(m.group(1), HexFormat.of().parseHex(m.group(2).toLowerCase()), scopes));
    }
    return new ApiKeys(keys);
  }

  /** The key's owner, if {@code secret} is one of the keys (compared in constant time). */
  public Optional<Principal> authenticate(String secret) {
    if (secret == null || secret.isEmpty()) {
      return Optional.empty();
    }
    byte[] given = sha256(secret);
    Principal found = null;
    for (Key k : keys) {
      if (MessageDigest.isEqual(k.digest(), given)) {
        found = new Principal(k.id(), k.scopes());
      }
    }
    return Optional.ofNullable(found);
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
    return HexFormat.of().formatHex(sha256(secret));
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

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
