package io.netflow.models;

import io.netflow.gateway.protocol.ErrorCode;
import io.netflow.gateway.protocol.MeshException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ed25519 keys of model publishers (the JDK's own implementation). Public keys travel as base64
 * X.509, private keys as base64 PKCS#8. A node holds only public keys: {@code keyId=base64}.
 */
public final class ModelKeys {

  private final Map<String, PublicKey> trusted;

  private ModelKeys(Map<String, PublicKey> trusted) {
    this.trusted = Map.copyOf(trusted);
  }

  /**
   * The keys a node trusts, from {@code models.trusted-keys} entries of the form {@code keyId=base64}.
   *
   * @throws IllegalArgumentException naming the entry that is not a valid key
   */
  public static ModelKeys trusting(List<String> entries) {
    Map<String, PublicKey> keys = new HashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("trusted key '" + entry + "' must be keyId=base64");
      }
      try {
        keys.put(entry.substring(0, eq), publicKey(entry.substring(eq + 1)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("trusted key '" + entry.substring(0, eq) + "' is " + e.getMessage());
      }
    }
    return new ModelKeys(keys);
  }

  /**
   * Checks the manifest's signature against the trusted key it names.
   *
   * @throws MeshException BAD_SIGNATURE when unsigned, signed by an unknown key, or not matching
   */
  public void verify(ModelManifest m) {
    if (m.signature() == null || m.signature().isEmpty() || m.keyId() == null || m.keyId().isEmpty()) {
      throw new MeshException(ErrorCode.BAD_SIGNATURE, "manifest " + m.id() + " is not signed");
    }
    PublicKey key = trusted.get(m.keyId());
    if (key == null) {
      throw new MeshException(ErrorCode.BAD_SIGNATURE, "manifest " + m.id() + " is signed by unknown key '" + m.keyId() + "'");
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(m.signedText());
      if (!s.verify(Base64.getDecoder().decode(m.signature()))) {
        throw new MeshException(ErrorCode.BAD_SIGNATURE, "manifest " + m.id() + " has a wrong signature");
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new MeshException(ErrorCode.BAD_SIGNATURE, "manifest " + m.id() + " has an unreadable signature");
    }
  }

  public boolean isEmpty() {
    return trusted.isEmpty();
  }

  /** Signs a manifest with a publisher's private key. */
  public static ModelManifest sign(ModelManifest m, String keyId, PrivateKey key) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      ModelManifest named = m.withSignature(keyId, "");
      s.update(named.signedText());
      return named.withSignature(keyId, Base64.getEncoder().encodeToString(s.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available", e);
    }
  }

  public static String encode(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  public static String encode(PrivateKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  public static PublicKey publicKey(String base64) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 X.509 Ed25519 public key");
    }
  }

  public static PrivateKey privateKey(String base64) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 PKCS#8 Ed25519 private key");
    }
  }
}
