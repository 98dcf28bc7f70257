package io.netflow.node;

import io.netflow.models.ModelCli;
import io.netflow.node.config.ConfigException;
import io.netflow.node.config.ConfigKey;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeConfigLoader;
import io.netflow.node.config.NodeKeys;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar netflow-node.jar [flags]}: starts a node, and drains it on SIGTERM.
 *
 * <p>Exit codes: 0 after a clean stop, 1 when the node fails to start, 2 for a configuration error.
 */
public final class Main {

  /** Exit code for a bad configuration value, unknown key or flag, or unreadable file. */
  public static final int EXIT_CONFIG = 2;
  /** Exit code when the node cannot start (ports taken, cluster unreachable...). */
  public static final int EXIT_START = 1;

  private Main() {
  }

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    List<String> argList = Arrays.asList(args);
    if (!argList.isEmpty() && argList.get(0).equals("model")) {
      System.exit(ModelCli.run(argList.subList(1, argList.size()), System.out, System.err));
      return;
    }
    if (!argList.isEmpty() && argList.get(0).equals("key")) {
      System.exit(newKey(argList.subList(1, argList.size()), System.out, System.err));
      return;
    }
    if (argList.contains("--help") || argList.contains("-h")) {
      printHelp(System.out);
      return;
    }
    NodeConfig config;
    try {
      config = NodeConfigLoader.load(argList, System.getenv());
    } catch (ConfigException e) {
      System.err.println("netflow: " + e.getMessage());
      System.exit(EXIT_CONFIG);
      return;
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    log.debug("Configuration: {}", config);
    NetflowNode node = new NetflowNode(config);
    long timeoutMs = config.getLong(NodeKeys.SHUTDOWN_TIMEOUT);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(node, timeoutMs, log), "netflow-shutdown"));
    node.start()
      .onSuccess(n -> log.info(n.banner()))
      .onFailure(err -> {
        String reason = err instanceof ConfigException ? err.getMessage() : err.toString();
        log.error("Node failed to start: {}", reason, err instanceof ConfigException ? null : err);
        System.exit(err instanceof ConfigException ? EXIT_CONFIG : EXIT_START);
      });
  }

  private static void stop(NetflowNode node, long timeoutMs, Logger log) {
    try {
      node.stop().toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("Node did not leave within {} ms; exiting anyway", timeoutMs);
    } catch (Exception e) {
      log.warn("Node stopped with an error: {}", e.toString());
    }
  }

  /** {@code key --id NAME --scopes "publish:* subscribe:*"}: a new API key and its config entry. */
  static int newKey(List<String> args, PrintStream out, PrintStream err) {
    int id = args.indexOf("--id");
    int scopes = args.indexOf("--scopes");
    if (id < 0 || scopes < 0 || id + 1 >= args.size() || scopes + 1 >= args.size()) {
      err.println("Usage: java -jar netflow-node.jar key --id NAME --scopes \"publish:<glob> subscribe:<glob> work:<glob> contribute admin\"");
      return EXIT_CONFIG;
    }
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    String key = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String entry = io.netflow.gateway.auth.ApiKeys.entry(args.get(id + 1), key, args.get(scopes + 1));
    try {
      io.netflow.gateway.auth.ApiKeys.parse(List.of(entry));
    } catch (IllegalArgumentException e) {
      err.println("netflow: " + e.getMessage());
      return EXIT_CONFIG;
    }
    out.println("API key (give it to the client; it is not stored anywhere): " + key);
    out.println("Config entry for every node (gateway.api-keys): " + entry);
    return 0;
  }

  static void printHelp(PrintStream out) {
    out.println("Usage: java -jar netflow-node.jar [--config FILE] [flags]");
    out.println("       java -jar netflow-node.jar model keygen|publish ...   (publish AI model versions)");
    out.println("       java -jar netflow-node.jar key --id NAME --scopes \"...\"   (a new gateway API key)");
    out.println();
    out.println("Starts a NetFlow mesh node. Later sources win: built-in defaults < config file");
    out.println("(--config or NETFLOW_CONFIG) < NETFLOW_* environment variables < flags.");
    out.println();
    out.println("Flags:");
    out.println("  --config FILE          YAML config file (see config/node.yaml)");
    NodeKeys.FLAGS.entrySet().stream().sorted(Map.Entry.comparingByKey())
      .forEach(f -> out.printf("  %-22s sets %s%n", f.getKey() + " V", f.getValue().name()));
    out.println("  --help                 this text");
    out.println();
    out.println("Keys (default; environment variable):");
    for (ConfigKey k : NodeKeys.ALL) {
      out.printf("  %s = %s  (%s)%n      %s %s.%n", k.name(), k.defaultValue(), k.envName(), k.doc(),
        k.allowed().replace("must be", "Must be"));
    }
  }
}
