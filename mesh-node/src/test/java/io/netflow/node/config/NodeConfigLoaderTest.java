package io.netflow.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {

  @TempDir
  Path dir;

  private Path file(String yaml) throws IOException {
    return Files.writeString(dir.resolve("node.yaml"), yaml);
  }

  @Test
  void defaultsApplyWithNothingGiven() throws Exception {
    NodeConfig c = NodeConfigLoader.load(List.of(), Map.of());
    assertThat(c.getInt(NodeKeys.HTTP_PORT)).isEqualTo(8080);
    assertThat(c.getString(NodeKeys.NODE_ROLE)).isEqualTo("edge");
    assertThat(c.getList(NodeKeys.CLUSTER_JOIN)).containsExactly("127.0.0.1");
    assertThat(c.sourceOf(NodeKeys.HTTP_PORT)).isEqualTo("default");
  }

  @Test
  void laterSourcesWin() throws Exception {
    Path f = file("http:\n  port: 9000\nnode:\n  role: cloud\n  region: eu-west\n");
    NodeConfig fileOnly = NodeConfigLoader.load(List.of("--config", f.toString()), Map.of());
    assertThat(fileOnly.getInt(NodeKeys.HTTP_PORT)).isEqualTo(9000);
    assertThat(fileOnly.getString(NodeKeys.NODE_REGION)).isEqualTo("eu-west");

    Map<String, String> env = Map.of("NETFLOW_HTTP_PORT", "9001", "NETFLOW_NODE_ROLE", "edge");
    NodeConfig withEnv = NodeConfigLoader.load(List.of("--config", f.toString()), env);
    assertThat(withEnv.getInt(NodeKeys.HTTP_PORT)).isEqualTo(9001);
    assertThat(withEnv.getString(NodeKeys.NODE_ROLE)).isEqualTo("edge");
    assertThat(withEnv.getString(NodeKeys.NODE_REGION)).isEqualTo("eu-west");

    NodeConfig withFlags = NodeConfigLoader.load(List.of("--config", f.toString(), "--http-port=9002", "--join", "10.1.0.5:5701, 10.1.0.6"), env);
    assertThat(withFlags.getInt(NodeKeys.HTTP_PORT)).isEqualTo(9002);
    assertThat(withFlags.sourceOf(NodeKeys.HTTP_PORT)).isEqualTo("--http-port");
    assertThat(withFlags.getList(NodeKeys.CLUSTER_JOIN)).containsExactly("10.1.0.5:5701", "10.1.0.6");
  }

  @Test
  void configFileMayComeFromTheEnvironment() throws Exception {
    Path f = file("cluster:\n  name: lab\n  join: [10.0.0.1, 10.0.0.2]\n");
    NodeConfig c = NodeConfigLoader.load(List.of(), Map.of("NETFLOW_CONFIG", f.toString()));
    assertThat(c.getString(NodeKeys.CLUSTER_NAME)).isEqualTo("lab");
    assertThat(c.getList(NodeKeys.CLUSTER_JOIN)).containsExactly("10.0.0.1", "10.0.0.2");
  }

  @Test
  void portOutOfRangeNamesKeyValueSourceAndRange() {
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--http-port", "70000"), Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessage("invalid value '70000' for http.port (from --http-port): must be an integer in [0, 65535]");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of(), Map.of("NETFLOW_CLUSTER_PORT", "0")))
      .hasMessage("invalid value '0' for cluster.port (from NETFLOW_CLUSTER_PORT): must be an integer in [1, 65535]");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--cluster-port", "abc"), Map.of()))
      .hasMessageContaining("invalid value 'abc' for cluster.port");
  }

  @Test
  void unknownRoleListsTheRoles() {
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--role", "server"), Map.of()))
      .hasMessage("invalid value 'server' for node.role (from --role): must be one of cloud, edge");
  }

  @Test
  void unreadableFileSaysWhy() {
    String missing = dir.resolve("absent.yaml").toString();
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--config", missing), Map.of()))
      .hasMessage("cannot read config file '" + missing + "': no such file");
  }

  @Test
  void unknownKeysVariablesAndFlagsAreRefused() throws Exception {
    Path f = file("http:\n  prot: 80\n");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--config", f.toString()), Map.of()))
      .hasMessage("unknown key 'http.prot' in " + f + "; known keys are listed by --help");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of(), Map.of("NETFLOW_HTTP_PROT", "80")))
      .hasMessageStartingWith("unknown environment variable NETFLOW_HTTP_PROT");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--port", "80"), Map.of()))
      .hasMessageStartingWith("unknown argument '--port'");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--role"), Map.of()))
      .hasMessage("flag --role needs a value");
  }

  @Test
  void wrongShapesAreRefused() throws Exception {
    Path notYaml = file("http: [unclosed\n");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--config", notYaml.toString()), Map.of()))
      .hasMessageStartingWith("config file '" + notYaml + "' is not valid YAML");
    Path listForScalar = file("http:\n  port: [1, 2]\n");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--config", listForScalar.toString()), Map.of()))
      .hasMessageStartingWith("invalid value '[1, 2]' for http.port");
    Path badJoin = file("cluster:\n  join: ['a b']\n");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of("--config", badJoin.toString()), Map.of()))
      .hasMessageContaining("cluster.join").hasMessageContaining("must be a list of host or host:port");
  }

  @Test
  void staleLimitMustExceedReportInterval() {
    Map<String, String> env = Map.of("NETFLOW_MEMBERSHIP_REPORT_INTERVAL_MS", "1000", "NETFLOW_MEMBERSHIP_STALE_AFTER_MS", "1000");
    assertThatThrownBy(() -> NodeConfigLoader.load(List.of(), env))
      .hasMessage("invalid value '1000' for membership.stale-after-ms (from NETFLOW_MEMBERSHIP_STALE_AFTER_MS): "
        + "must be greater than membership.report-interval-ms (1000)");
  }

  @Test
  void everyKeyHasADocAndAnEnvironmentName() {
    for (ConfigKey k : NodeKeys.ALL) {
      assertThat(k.doc()).as(k.name()).isNotBlank();
      assertThat(k.envName()).startsWith("NETFLOW_").doesNotContain(".", "-");
    }
  }
}
