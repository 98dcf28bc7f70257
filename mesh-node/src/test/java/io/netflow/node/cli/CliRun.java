package io.netflow.node.cli;

import io.netflow.node.config.NodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of the jar's command line in this JVM, its output captured; a node command hands its
 * configuration to {@link #launched} instead of starting a node.
 */
public record CliRun(int code, String out, String err, NodeConfig launched) {

  public static CliRun of(String... args) {
    return of(Map.of(), args);
  }

  public static CliRun of(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicReference<NodeConfig> launched = new AtomicReference<>();
    int code = NetflowCli.run(args, env, launched::set, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRun(code, out.toString(), err.toString(), launched.get());
  }

  public List<String> outLines() {
    return out.lines().toList();
  }

  public List<String> errLines() {
    return err.lines().toList();
  }
}
