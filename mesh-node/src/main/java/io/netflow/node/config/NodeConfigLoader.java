package io.netflow.node.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Resolves a node's configuration. Later sources win:
 * built-in defaults &lt; the YAML file ({@code --config} or {@code NETFLOW_CONFIG}) &lt;
 * {@code NETFLOW_*} environment variables &lt; command-line flags.
 *
 * <p>Anything unknown or out of range fails with a {@link ConfigException} naming the key, the
 * value, where it came from and what is allowed.
 */
public final class NodeConfigLoader {

  /** The environment variable naming the config file when {@code --config} is not given. */
  public static final String CONFIG_ENV = "NETFLOW_CONFIG";

  private final Map<String, Object> values = new HashMap<>();
  private final Map<String, String> sources = new HashMap<>();

  private NodeConfigLoader() {
    for (ConfigKey k : NodeKeys.ALL) {
      values.put(k.name(), k.defaultValue());
      sources.put(k.name(), "default");
    }
  }

  /** Resolves the configuration from command-line arguments and the environment. */
  public static NodeConfig load(List<String> args, Map<String, String> env) throws ConfigException {
    return load(parseFlags(args), env);
  }

  /**
   * Resolves the configuration from flags already parsed (by the command line) and the environment.
   *
   * @param flags each flag given, {@code --config} or one of {@link NodeKeys#FLAGS}, to its text
   */
  public static NodeConfig load(Map<String, String> flags, Map<String, String> env) throws ConfigException {
    Map<String, String> rest = new LinkedHashMap<>(flags);
    NodeConfigLoader loader = new NodeConfigLoader();
    String file = rest.containsKey("--config") ? rest.remove("--config") : env.get(CONFIG_ENV);
    if (file != null) {
      loader.applyFile(Path.of(file));
    }
    loader.applyEnv(env);
    for (Map.Entry<String, String> f : rest.entrySet()) {
      ConfigKey key = NodeKeys.FLAGS.get(f.getKey());
      if (key == null) {
        throw new ConfigException("unknown argument '" + f.getKey() + "'; run with --help for the flags");
      }
      loader.apply(key, f.getValue(), f.getKey());
    }
    loader.checkTogether();
    return new NodeConfig(loader.values, loader.sources);
  }

  /** Rules that tie two keys together, and entries whose parts need more than a pattern. */
  @SuppressWarnings("unchecked")
  private void checkTogether() throws ConfigException {
    boolean cert = !((String) values.get(NodeKeys.TLS_CERT.name())).isEmpty();
    boolean key = !((String) values.get(NodeKeys.TLS_KEY.name())).isEmpty();
    if (cert != key) {
      throw new ConfigException("http.tls-cert and http.tls-key go together: set both for HTTPS, or neither");
    }
    try {
      io.netflow.gateway.auth.ApiKeys.parse((List<String>) values.get(NodeKeys.API_KEYS.name()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid gateway.api-keys (from " + sources.get(NodeKeys.API_KEYS.name()) + "): " + e.getMessage());
    }
    try {
      io.netflow.models.ModelKeys.trusting((List<String>) values.get(NodeKeys.TRUSTED_KEYS.name()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid models.trusted-keys (from " + sources.get(NodeKeys.TRUSTED_KEYS.name()) + "): "
        + e.getMessage());
    }
    long interval = (Long) values.get(NodeKeys.REPORT_INTERVAL.name());
    long stale = (Long) values.get(NodeKeys.STALE_AFTER.name());
    if (stale <= interval) {
      throw ConfigException.invalid(NodeKeys.STALE_AFTER.name(), stale, sources.get(NodeKeys.STALE_AFTER.name()),
        "must be greater than membership.report-interval-ms (" + interval + ")");
    }
  }

  private static Map<String, String> parseFlags(List<String> args) throws ConfigException {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String flag = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        flag = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (!flag.equals("--config") && !NodeKeys.FLAGS.containsKey(flag)) {
        throw new ConfigException("unknown argument '" + arg + "'; run with --help for the flags");
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new ConfigException("flag " + flag + " needs a value");
        }
        value = args.get(++i);
      }
      flags.put(flag, value);
    }
    return flags;
  }

  private void applyFile(Path path) throws ConfigException {
    Object root;
    try (Reader r = Files.newBufferedReader(path)) {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file '" + path + "': " + describe(e));
    } catch (YAMLException e) {
      throw new ConfigException("config file '" + path + "' is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null) {
      return;
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new ConfigException("config file '" + path + "' must hold a mapping of sections (node, cluster, http, ...)");
    }
    applyTree("", map, path.toString());
  }

  private void applyTree(String prefix, Map<?, ?> map, String source) throws ConfigException {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String name = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> section && !NodeKeys.BY_NAME.containsKey(name)) {
        applyTree(name + ".", section, source);
        continue;
      }
      ConfigKey key = NodeKeys.BY_NAME.get(name);
      if (key == null) {
        throw new ConfigException("unknown key '" + name + "' in " + source + "; known keys are listed by --help");
      }
      apply(key, e.getValue(), source);
    }
  }

  private void applyEnv(Map<String, String> env) throws ConfigException {
    Map<String, ConfigKey> byEnv = new HashMap<>();
    NodeKeys.ALL.forEach(k -> byEnv.put(k.envName(), k));
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().startsWith("NETFLOW_") || e.getKey().equals(CONFIG_ENV)) {
        continue;
      }
      ConfigKey key = byEnv.get(e.getKey());
      if (key == null) {
        throw new ConfigException("unknown environment variable " + e.getKey() + "; known ones are listed by --help");
      }
      apply(key, e.getValue(), e.getKey());
    }
  }

  private void apply(ConfigKey key, Object raw, String source) throws ConfigException {
    values.put(key.name(), key.convert(raw, source));
    sources.put(key.name(), source);
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
