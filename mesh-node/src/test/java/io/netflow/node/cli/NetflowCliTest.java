package io.netflow.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netflow.gateway.auth.ApiKeys;
import io.netflow.node.config.ConfigKey;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's flags, {@code key}, and the conventions every command shares (help, errors, exit codes). */
class NetflowCliTest {

  @TempDir
  Path dir;

  @Test
  void flagsReachTheLoaderAndWinOverFileAndEnvironment() throws Exception {
    Path yaml = Files.writeString(dir.resolve("node.yaml"), "http:\n  port: 9000\nnode:\n  region: eu-west\n  role: edge\n");
    Map<String, String> env = Map.of("NETFLOW_HTTP_PORT", "9001", "NETFLOW_NODE_ROLE", "cloud");

    CliRun run = CliRun.of(env, "--config", yaml.toString(), "--http-port=9002", "--join", "10.1.0.5:5701, 10.1.0.6");

    assertThat(run.code()).isEqualTo(NetflowCli.RUNNING);
    assertThat(run.err()).isEmpty();
    NodeConfig c = run.launched();
    assertThat(c.getInt(NodeKeys.HTTP_PORT)).isEqualTo(9002);
    assertThat(c.sourceOf(NodeKeys.HTTP_PORT)).isEqualTo("--http-port");
    assertThat(c.getString(NodeKeys.NODE_ROLE)).isEqualTo("cloud");
    assertThat(c.sourceOf(NodeKeys.NODE_ROLE)).isEqualTo("NETFLOW_NODE_ROLE");
    assertThat(c.getString(NodeKeys.NODE_REGION)).isEqualTo("eu-west");
    assertThat(c.getList(NodeKeys.CLUSTER_JOIN)).containsExactly("10.1.0.5:5701", "10.1.0.6");
  }

  @Test
  void noFlagsStartsOnDefaultsAndAFlagGivenTwiceKeepsItsLastValue() {
    assertThat(CliRun.of().launched().getInt(NodeKeys.HTTP_PORT)).isEqualTo(8080);
    assertThat(CliRun.of("--http-port", "9000", "--http-port", "9005").launched().getInt(NodeKeys.HTTP_PORT)).isEqualTo(9005);
  }

  @Test
  void invalidConfigValueKeepsTheLoadersLineAndExits2() {
    CliRun run = CliRun.of("--http-port", "70000");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(
      "netflow: invalid value '70000' for http.port (from --http-port): must be an integer in [0, 65535]");
    assertThat(run.out()).isEmpty();
    assertThat(run.launched()).isNull();
    assertThat(CliRun.of(Map.of("NETFLOW_CLUSTER_PORT", "0")).errLines()).containsExactly(
      "netflow: invalid value '0' for cluster.port (from NETFLOW_CLUSTER_PORT): must be an integer in [1, 65535]");
  }

  @Test
  void unknownFlagIsOneLineNamingItAndExits2() {
    CliRun run = CliRun.of("--http-prot", "80");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly("netflow: unknown option '--http-prot' (did you mean --http-port?); "
      + "see 'java -jar netflow-node.jar --help'");
    assertThat(run.launched()).isNull();
  }

  @Test
  void missingValueAndStrayArgumentAreOneLineAndExit2() {
    for (String[] args : List.of(new String[] {"--role"}, new String[] {"start"}, new String[] {"key", "--id"})) {
      CliRun run = CliRun.of(args);
      assertThat(run.code()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.errLines()).as(String.join(" ", args)).hasSize(1)
        .allSatisfy(l -> assertThat(l).startsWith("netflow: ").doesNotContain("Exception"));
      assertThat(run.launched()).isNull();
    }
  }

  @Test
  void nodeFlagsBeforeACommandAreRefusedNotIgnored() {
    CliRun run = CliRun.of("--http-port", "9000", "key", "--id", "game", "--scopes", "admin");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly("netflow: --http-port is a node flag; it does not go with the key command");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void helpListsEveryFlagAndEveryKeyWithItsDefaultAndMeaning() {
    CliRun run = CliRun.of("--help");

    assertThat(run.code()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.launched()).isNull();
    assertThat(run.out()).startsWith("Usage: java -jar netflow-node.jar").contains("--config=FILE", "-h, --help", "key", "model");
    NodeKeys.FLAGS.forEach((flag, key) -> assertThat(run.out()).contains(flag + "=", "Sets " + key.name()));
    for (ConfigKey k : NodeKeys.ALL) {
      assertThat(run.out()).contains("  " + k.name() + " = " + k.defaultValue() + "  (" + k.envName() + ")", k.doc());
    }
  }

  @Test
  void keyPrintsTheSecretAndTheEntryForIt() {
    CliRun run = CliRun.of("key", "--id", "game-eu", "--scopes", "publish:match* subscribe:match-*");

    assertThat(run.code()).isZero();
    assertThat(run.err()).isEmpty();
    List<String> lines = run.outLines();
    assertThat(lines).hasSize(2);
    String secretPrefix = "API key (give it to the client; it is not stored anywhere): ";
    String entryPrefix = "Config entry for every node (gateway.api-keys): ";
    assertThat(lines.get(0)).startsWith(secretPrefix);
    String secret = lines.get(0).substring(secretPrefix.length());
    assertThat(secret).matches("[A-Za-z0-9_-]{43}");
    assertThat(lines.get(1)).isEqualTo(entryPrefix + ApiKeys.entry("game-eu", secret, "publish:match* subscribe:match-*"));
  }

  @Test
  void keyWithoutItsOptionsOrWithAnUnknownScopeIsOneLineAndExits2() {
    CliRun missing = CliRun.of("key", "--id", "game-eu");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.errLines()).containsExactly("netflow: missing required option: '--scopes=SCOPES'; "
      + "see 'java -jar netflow-node.jar key --help'");

    CliRun badScope = CliRun.of("key", "--id", "game-eu", "--scopes", "publish:* fly");
    assertThat(badScope.code()).isEqualTo(2);
    assertThat(badScope.errLines()).containsExactly("netflow: API key game-eu has unknown scope 'fly'; "
      + "scopes are admin, publish:<glob>, subscribe:<glob>, work:<glob>, contribute, models:<glob>");
    assertThat(badScope.out()).isEmpty();
  }

  @Test
  void keyHelpListsItsOptions() {
    CliRun run = CliRun.of("key", "--help");

    assertThat(run.code()).isZero();
    assertThat(run.out()).startsWith("Usage: java -jar netflow-node.jar key")
      .contains("--id=NAME", "The key's id", "--scopes=SCOPES", "What the key may do", "-h, --help");
  }
}
