package io.netflow.node.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** config/node.yaml and the README are the operator's reference: they must list every key, with its real default. */
class NodeYamlTest {

  private static final Path NODE_YAML = Path.of("..", "config", "node.yaml");

  @Test
  void documentsEveryKeyAndNoOther() throws Exception {
    Map<String, Object> tree;
    try (Reader r = Files.newBufferedReader(NODE_YAML)) {
      tree = new Yaml().load(r);
    }
    Set<String> documented = new TreeSet<>();
    flatten("", tree, documented);
    assertThat(documented).isEqualTo(new TreeSet<>(NodeKeys.BY_NAME.keySet()));
  }

  @Test
  void itsValuesAreTheBuiltInDefaults() throws Exception {
    NodeConfig fromFile = NodeConfigLoader.load(List.of("--config", NODE_YAML.toString()), Map.of());
    assertThat(fromFile.toString()).isEqualTo(NodeConfig.defaults().toString());
  }

  @Test
  void readmeReferenceListsEveryKey() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    for (ConfigKey k : NodeKeys.ALL) {
      assertThat(readme).as("README lists " + k.name()).contains("| `" + k.name() + "` |");
    }
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> map, Set<String> out) {
    map.forEach((k, v) -> {
      if (v instanceof Map<?, ?> m) {
        flatten(prefix + k + ".", (Map<String, Object>) m, out);
      } else {
        out.add(prefix + k);
      }
    });
  }
}
