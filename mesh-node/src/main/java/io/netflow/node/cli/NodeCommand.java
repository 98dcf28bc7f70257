package io.netflow.node.cli;

import io.netflow.node.config.ConfigException;
import io.netflow.node.config.ConfigKey;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeConfigLoader;
import io.netflow.node.config.NodeKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar netflow-node.jar [flags]}: starts a node.
 *
 * <p>The flags are built from {@link NodeKeys#FLAGS}, and picocli only reads them:
 * {@link NodeConfigLoader} resolves them with the file and the environment, so the precedence
 * and the error messages are the loader's, whichever way a value arrives.
 */
@Command(name = NetflowCli.PROGRAM, abbreviateSynopsis = true,
  description = {"Starts a NetFlow mesh node. Later sources win: built-in defaults < config file "
    + "(--config or NETFLOW_CONFIG) < NETFLOW_* environment variables < flags.", ""})
final class NodeCommand implements Callable<Integer> {

  static final String CONFIG = "--config";
  private static final String KEYS_SECTION = "netflowKeys";

  @Spec
  CommandSpec spec;

  // INHERIT: every command below (key, model, model publish...) answers --help the same way.
  @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Shows this help and exits.")
  boolean help;

  private final Map<String, String> env;
  private final Consumer<NodeConfig> launcher;

  NodeCommand(Map<String, String> env, Consumer<NodeConfig> launcher) {
    this.env = env;
    this.launcher = launcher;
  }

  @Override
  public Integer call() throws ConfigException {
    Map<String, String> flags = new LinkedHashMap<>();
    for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
      if (!o.usageHelp()) {
        flags.put(o.longestName(), o.getValue().toString());
      }
    }
    launcher.accept(NodeConfigLoader.load(flags, env));
    return NetflowCli.RUNNING;
  }

  /** Adds the node's flags, and the list of every key after the options, to the node's command line. */
  static void addFlagsAndKeys(CommandLine cli) {
    CommandSpec spec = cli.getCommandSpec();
    spec.addOption(OptionSpec.builder(CONFIG).paramLabel("FILE").type(String.class)
      .description("YAML config file (see config/node.yaml); without it, NETFLOW_CONFIG names one.").build());
    NodeKeys.FLAGS.forEach((flag, key) -> spec.addOption(OptionSpec.builder(flag).paramLabel(label(key))
      .type(String.class).description(escape("Sets " + key.name() + " (default " + shown(key.defaultValue()) + "): "
        + key.doc())).build()));
    List<String> sections = new ArrayList<>(cli.getHelpSectionKeys());
    sections.add(sections.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), KEYS_SECTION);
    cli.setHelpSectionKeys(sections);
    cli.getHelpSectionMap().put(KEYS_SECTION, help -> keys());
  }

  /** Every key with its default, variable, meaning and allowed values: the same list as config/node.yaml. */
  static String keys() {
    StringBuilder b = new StringBuilder(String.format("%nKeys (default; environment variable):%n"));
    for (ConfigKey k : NodeKeys.ALL) {
      b.append(String.format("  %s = %s  (%s)%n      %s %s.%n", k.name(), k.defaultValue(), k.envName(), k.doc(),
        k.allowed().replace("must be", "Must be")));
    }
    return b.toString();
  }

  /** {@code --http-port=PORT}, {@code --join=JOIN,...}: the last part of the key's name. */
  private static String label(ConfigKey key) {
    String last = key.name().substring(key.name().lastIndexOf('.') + 1).toUpperCase(Locale.ROOT);
    return key.type() == ConfigKey.Type.LIST ? last + ",..." : last;
  }

  private static String shown(Object value) {
    return "".equals(value) ? "empty" : String.valueOf(value);
  }

  /** Descriptions are format strings to picocli: a doc's "10%" must not become a conversion. */
  private static String escape(String text) {
    return text.replace("%", "%%");
  }
}
