package io.netflow.models;

import io.netflow.gateway.auth.AdminAuth;
import io.netflow.node.NetflowNode;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/** A publisher's key pair and an admin key, the node config that trusts them, and signed uploads. */
public final class ModelFixture {

  public static final String ADMIN_KEY = "test-admin-key";
  public static final int CHUNK = 64 * 1024;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final KeyPair publisher = ModelKeys.generate();
  final Path dir;

  public ModelFixture(Path dir) {
    this.dir = dir;
  }

  /** Node config that trusts this publisher (as key "ops") and this admin key. */
  public UnaryOperator<NodeConfig> trusting() {
    return trusting(UnaryOperator.identity());
  }

  public UnaryOperator<NodeConfig> trusting(UnaryOperator<NodeConfig> more) {
    return cfg -> more.apply(cfg
      .set(NodeKeys.TRUSTED_KEYS, List.of("ops=" + ModelKeys.encode(publisher.getPublic())))
      .set(NodeKeys.ADMIN_KEYS, List.of(AdminAuth.sha256Hex(ADMIN_KEY))));
  }

  /** The manifest of {@code file} as name/version, signed by this publisher as key "ops". */
  public ModelManifest sign(Path file, String name, String version) throws Exception {
    return ModelKeys.sign(ModelStore.describe(file, name, version, CHUNK), "ops", publisher.getPrivate());
  }

  /** A model file of {@code size} random bytes. */
  public Path model(String name, int size, long seed) throws Exception {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return Files.write(dir.resolve(name), bytes);
  }

  /** Signs and uploads {@code file} as name/version to {@code node}; returns the response. */
  public HttpResponse<String> publish(NetflowNode node, String name, String version, Path file) throws Exception {
    ModelManifest signed = ModelKeys.sign(ModelStore.describe(file, name, version, CHUNK), "ops", publisher.getPrivate());
    return upload(node, name, version, file, signed.size(), signed.keyId(), signed.signature());
  }

  HttpResponse<String> upload(NetflowNode node, String name, String version, Path file, long declared, String keyId,
                              String signature) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.httpUrl() + "/v1/models/" + name + "/" + version))
      .header("Authorization", "Bearer " + ADMIN_KEY)
      .header(ModelRoutes.SIZE, String.valueOf(declared))
      .header(ModelRoutes.CHUNK_SIZE, String.valueOf(CHUNK))
      .PUT(HttpRequest.BodyPublishers.ofFile(file));
    if (keyId != null) {
      b.header(ModelRoutes.KEY_ID, keyId);
    }
    if (signature != null) {
      b.header(ModelRoutes.SIGNATURE, signature);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(NetflowNode node, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.httpUrl() + path)).header("Authorization", "Bearer " + ADMIN_KEY)
      .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }
}
