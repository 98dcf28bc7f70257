package io.netflow.node;

import io.netflow.node.cli.NetflowCli;
import io.netflow.node.config.ConfigException;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar netflow-node.jar [flags]}: starts a node, and drains it on SIGTERM; also the
 * {@code key} and {@code model} commands (see {@link NetflowCli}).
 *
 * <p>Exit codes: 0 after a clean stop or a command done, 1 when the node fails to start or a
 * command fails, 2 for a user error (an unknown flag, a bad value or configuration).
 */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    int code = NetflowCli.run(args, System.getenv(), Main::start, new PrintWriter(System.out, true),
      new PrintWriter(System.err, true));
    if (code != NetflowCli.RUNNING) {
      System.exit(code);
    }
  }

  /** Starts the node; from here on its shutdown hook, or its failure to start, ends the process. */
  private static void start(NodeConfig config) {
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
        System.exit(err instanceof ConfigException ? NetflowCli.EXIT_USAGE : NetflowCli.EXIT_FAILED);
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
}
