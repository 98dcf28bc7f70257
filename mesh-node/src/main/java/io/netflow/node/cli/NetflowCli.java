package io.netflow.node.cli;

import io.netflow.models.ModelCli;
import io.netflow.node.config.ConfigException;
import io.netflow.node.config.NodeConfig;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The jar's command lines: the node itself ({@link NodeCommand}), {@code key} ({@link KeyCommand})
 * and {@code model} ({@link ModelCli}).
 *
 * <p>One convention for all of them: {@code --help} prints picocli's usage to stdout and exits 0;
 * a user error (unknown or missing option, bad value, bad configuration) is one line on stderr
 * starting {@code netflow: } and exit code 2; any other failure is one line and exit code 1, its
 * stack trace logged at DEBUG. Scripts read the exit code; operators read one line.
 */
public final class NetflowCli {

  /** Exit code of a command that did what it was asked. */
  public static final int EXIT_OK = 0;
  /** Exit code when a command fails for another reason than its input (the node cannot start...). */
  public static final int EXIT_FAILED = 1;
  /** Exit code of a user error: a bad option, value or configuration. */
  public static final int EXIT_USAGE = 2;
  /**
   * What {@link #run} returns once the node is started: the process runs on, and the node's
   * shutdown or failure to start decides its exit code.
   */
  public static final int RUNNING = -1;

  /** How the usage lines name the program. */
  static final String PROGRAM = "java -jar netflow-node.jar";

  private static final Logger LOG = LoggerFactory.getLogger(NetflowCli.class);

  private NetflowCli() {
  }

  /**
   * Runs the command line {@code args} names.
   *
   * @param env the environment, for the node's {@code NETFLOW_*} variables
   * @param launcher starts a node with its resolved configuration (tests pass a fake)
   * @return the exit code, or {@link #RUNNING} once the node is launched
   */
  public static int run(String[] args, Map<String, String> env, Consumer<NodeConfig> launcher, PrintWriter out,
    PrintWriter err) {
    CommandLine cli = new CommandLine(new NodeCommand(env, launcher));
    NodeCommand.addFlagsAndKeys(cli);
    cli.addSubcommand(new KeyCommand());
    cli.addSubcommand(new ModelCli());
    // Values are taken as written (an admin key may start with '@'); a flag given twice keeps its
    // last value, as scripts that put defaults before "$@" expect.
    cli.setExpandAtFiles(false);
    cli.setOverwrittenOptionsAllowed(true);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionStrategy(NetflowCli::execute);
    cli.setParameterExceptionHandler(NetflowCli::badInput);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> failed(e, cmd));
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** Refuses node flags before a command: they would be silently ignored. */
  private static int execute(ParseResult parsed) {
    if (parsed.hasSubcommand()) {
      for (OptionSpec o : parsed.matchedOptions()) {
        if (!o.usageHelp()) {
          throw new ParameterException(parsed.commandSpec().commandLine(), o.longestName()
            + " is a node flag; it does not go with the " + parsed.subcommand().commandSpec().name() + " command");
        }
      }
    }
    return new RunLast().execute(parsed);
  }

  private static int badInput(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    StringBuilder line = new StringBuilder("netflow: ");
    if (e instanceof UnmatchedArgumentException u && u.getUnmatched().get(0).startsWith("-")) {
      // picocli lists the unknown flag's value as unknown too: name the flag alone
      line.append("unknown option '").append(u.getUnmatched().get(0)).append('\'');
    } else {
      line.append(sentence(e.getMessage()));
    }
    if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
    }
    if (e instanceof UnmatchedArgumentException || e instanceof MissingParameterException) {
      line.append("; see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help'");
    }
    cmd.getErr().println(line);
    return EXIT_USAGE;
  }

  private static int failed(Exception e, CommandLine cmd) {
    if (e instanceof ConfigException) {
      cmd.getErr().println("netflow: " + e.getMessage());
      return EXIT_USAGE;
    }
    LOG.debug("{} failed", cmd.getCommandSpec().qualifiedName(), e);
    cmd.getErr().println("netflow: " + sentence(e.getMessage() == null ? e.toString() : e.getMessage()));
    return EXIT_FAILED;
  }

  /** One line, starting lower-case like the configuration errors ("Missing ..." becomes "missing ..."). */
  static String sentence(String message) {
    String line = message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    boolean capitalised = line.length() > 1 && Character.isUpperCase(line.charAt(0)) && Character.isLowerCase(line.charAt(1));
    return capitalised ? Character.toLowerCase(line.charAt(0)) + line.substring(1) : line;
  }
}
