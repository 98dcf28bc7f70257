package io.netflow.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.config.YamlConfigBuilder;
import io.netflow.node.config.ConfigException;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the Hazelcast config of a node: the embedded {@code config/cluster.yaml} (or the file
 * {@code cluster.config-file} names), then the node's own cluster settings on top.
 */
final class ClusterConfigFactory {

  /** Where the build puts {@code config/cluster.yaml} inside the jar. */
  static final String EMBEDDED = "netflow/cluster.yaml";

  private ClusterConfigFactory() {
  }

  static Config create(NodeConfig node) throws ConfigException {
    Config hz = load(node.getString(NodeKeys.CLUSTER_CONFIG_FILE));
    String host = node.getString(NodeKeys.CLUSTER_HOST);
    hz.setClusterName(node.getString(NodeKeys.CLUSTER_NAME));

    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(node.getInt(NodeKeys.CLUSTER_PORT));
    net.setPortCount(node.getInt(NodeKeys.CLUSTER_PORT_COUNT));
    net.setPortAutoIncrement(node.getInt(NodeKeys.CLUSTER_PORT_COUNT) > 1);
    net.getInterfaces().setEnabled(true).clear().addInterface(host);
    hz.setProperty("hazelcast.local.localAddress", host);
    hz.setProperty("hazelcast.socket.bind.any", "false");

    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    String serviceDns = node.getString(NodeKeys.CLUSTER_K8S_DNS);
    if (serviceDns.isEmpty()) {
      join.getTcpIpConfig().setEnabled(true).setMembers(node.getList(NodeKeys.CLUSTER_JOIN));
    } else {
      // Hazelcast's own Kubernetes discovery in DNS lookup mode: no API access (RBAC) needed, only a
      // headless Service that lists not-yet-ready pods too (publishNotReadyAddresses).
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", serviceDns)
        .setProperty("service-port", String.valueOf(node.getInt(NodeKeys.CLUSTER_PORT)));
    }

    hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(node.getInt(NodeKeys.CLUSTER_HEARTBEAT)));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(node.getInt(NodeKeys.CLUSTER_MAX_NO_HEARTBEAT)));
    return hz;
  }

  /** The base config: a file when one is named, else the embedded one. */
  static Config load(String file) throws ConfigException {
    if (file.isEmpty()) {
      try (InputStream in = ClusterConfigFactory.class.getClassLoader().getResourceAsStream(EMBEDDED)) {
        if (in == null) {
          throw new IllegalStateException(EMBEDDED + " is missing from the node jar");
        }
        return new YamlConfigBuilder(in).build();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read embedded " + EMBEDDED, e);
      }
    }
    Path path = Path.of(file);
    try (InputStream in = Files.newInputStream(path)) {
      return file.endsWith(".xml") ? new XmlConfigBuilder(in).build() : new YamlConfigBuilder(in).build();
    } catch (IOException e) {
      throw new ConfigException("cannot read cluster.config-file '" + file + "': " + e.getClass().getSimpleName());
    } catch (InvalidConfigurationException e) {
      throw new ConfigException("cluster.config-file '" + file + "' is not a valid Hazelcast config: "
        + e.getMessage().lines().findFirst().orElse(""));
    }
  }
}
