package io.netflow.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.MetadataPolicy;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigFactoryTest {

  @Test
  void embeddedConfigKeepsVertxClusterState() throws Exception {
    Config vertxDefault = ConfigUtil.loadConfig();
    Config ours = ClusterConfigFactory.load("");
    vertxDefault.getMultiMapConfigs().forEach((name, mm) -> {
      assertThat(ours.getMultiMapConfigs()).containsKey(name);
      assertThat(ours.getMultiMapConfig(name).getBackupCount()).isEqualTo(mm.getBackupCount());
      assertThat(ours.getMultiMapConfig(name).getValueCollectionType()).isEqualTo(mm.getValueCollectionType());
    });
    vertxDefault.getMapConfigs().forEach((name, m) -> {
      assertThat(ours.getMapConfigs()).containsKey(name);
      assertThat(ours.getMapConfig(name).getBackupCount()).isEqualTo(m.getBackupCount());
    });
  }

  @Test
  void netflowMapsKeepTwoBackups() throws Exception {
    Config ours = ClusterConfigFactory.load("");
    for (String map : java.util.List.of("netflow.work", "netflow.rewards.ledger", "netflow.rewards.hashes",
      "netflow.load-reports")) {
      assertThat(ours.findMapConfig(map).getBackupCount()).as(map).isEqualTo(2);
    }
  }

  @Test
  void workItemsAreIndexedByConfigNotAtRunTime() throws Exception {
    var indexes = ClusterConfigFactory.load("").findMapConfig("netflow.work").getIndexConfigs();
    assertThat(indexes).extracting(i -> i.getType() + " " + i.getAttributes())
      .containsExactlyInAnyOrder("HASH [state]", "SORTED [state, class, deadline]");
  }

  @Test
  void theLedgerKeepsNoJsonQueryMetadata() throws Exception {
    Config ours = ClusterConfigFactory.load("");
    assertThat(ours.findMapConfig("netflow.rewards.ledger").getMetadataPolicy()).isEqualTo(MetadataPolicy.OFF);
    assertThat(ours.findMapConfig("netflow.work").getMetadataPolicy()).isEqualTo(MetadataPolicy.CREATE_ON_UPDATE);
  }

  @Test
  void hazelcastsOwnMetricsAreNotCollected() throws Exception {
    // Nothing reads them (a node's metrics are its own); collecting them cost an idle node.
    assertThat(ClusterConfigFactory.load("").getMetricsConfig().isEnabled()).isFalse();
    assertThat(new Config().getMetricsConfig().isEnabled()).isTrue();
  }

  @Test
  void nodeSettingsAreAppliedAndMulticastStaysOff() throws Exception {
    NodeConfig node = NodeConfig.defaults()
      .with(NodeKeys.CLUSTER_NAME, "lab")
      .with(NodeKeys.CLUSTER_HOST, "10.20.0.2")
      .with(NodeKeys.CLUSTER_PORT, "6000")
      .with(NodeKeys.CLUSTER_JOIN, List.of("10.20.0.1:6000", "10.20.0.3"))
      .with(NodeKeys.CLUSTER_MAX_NO_HEARTBEAT, "4");
    Config hz = ClusterConfigFactory.create(node);
    assertThat(hz.getClusterName()).isEqualTo("lab");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(6000);
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.20.0.2");
    assertThat(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isTrue();
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("10.20.0.1:6000", "10.20.0.3");
    assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("4");
    assertThat(hz.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(hz.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(hz.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
  }

  @Test
  void badClusterConfigFileIsAConfigError(@TempDir Path dir) throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "hazelcast:\n  network:\n    nonsense: 1\n");
    assertThatThrownBy(() -> ClusterConfigFactory.load(bad.toString()))
      .hasMessageStartingWith("cluster.config-file '" + bad + "' is not a valid Hazelcast config");
    assertThatThrownBy(() -> ClusterConfigFactory.load(dir.resolve("none.yaml").toString()))
      .hasMessageStartingWith("cannot read cluster.config-file");
  }
}
