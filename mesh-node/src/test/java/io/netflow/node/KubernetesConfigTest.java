package io.netflow.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.netflow.node.config.NodeConfig;
import io.netflow.node.config.NodeConfigLoader;
import io.netflow.node.config.NodeKeys;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** config/k8s/netflow.yaml: what it sets is what a node understands, and it yields Kubernetes discovery. */
class KubernetesConfigTest {

  private static final Path MANIFEST = Path.of("..", "config", "k8s", "netflow.yaml");

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> manifests() throws Exception {
    Map<String, Map<String, Object>> byKind = new HashMap<>();
    try (Reader in = Files.newBufferedReader(MANIFEST)) {
      for (Object doc : new Yaml().loadAll(in)) {
        Map<String, Object> m = (Map<String, Object>) doc;
        String name = (String) ((Map<String, Object>) m.get("metadata")).get("name");
        byKind.put(m.get("kind") + "/" + name, m);
      }
    }
    return byKind;
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object root, String... path) {
    Object o = root;
    for (String p : path) {
      o = o instanceof List<?> l ? l.get(Integer.parseInt(p)) : ((Map<String, Object>) o).get(p);
    }
    return (T) o;
  }

  @Test
  void theStatefulSetsEnvironmentLoadsIntoAKubernetesDiscoveryConfig() throws Exception {
    Map<String, Map<String, Object>> all = manifests();
    assertThat(all).containsKeys("Service/netflow-cluster", "Service/netflow", "StatefulSet/netflow",
      "PodDisruptionBudget/netflow");
    Map<String, Object> node = at(all.get("StatefulSet/netflow"), "spec", "template", "spec", "containers", "0");
    List<Map<String, Object>> envList = at(node, "env");
    Map<String, String> env = new HashMap<>();
    // As the kubelet would expand them, for a pod netflow-1 at 10.1.2.3 in namespace mesh.
    Map<String, String> downward = Map.of("POD_IP", "10.1.2.3", "POD_NAME", "netflow-1", "POD_NAMESPACE", "mesh");
    List<String> unknown = new ArrayList<>();
    for (Map<String, Object> e : envList) {
      String name = (String) e.get("name");
      if (!name.startsWith("NETFLOW_")) {
        continue;
      }
      if (NodeKeys.ALL.stream().noneMatch(k -> k.envName().equals(name))) {
        unknown.add(name);
      }
      String value = (String) e.get("value");
      for (var d : downward.entrySet()) {
        value = value.replace("$(" + d.getKey() + ")", d.getValue());
      }
      env.put(name, value);
    }
    assertThat(unknown).as("NETFLOW_* variables no key reads").isEmpty();

    NodeConfig config = NodeConfigLoader.load(List.of(), env);
    assertThat(config.getString(NodeKeys.NODE_NAME)).isEqualTo("netflow-1");
    Config hz = ClusterConfigFactory.create(config);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("netflow-cluster.mesh.svc.cluster.local");
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.1.2.3");
  }

  @Test
  void probesDrainAndDisruptionMatchTheNode() throws Exception {
    Map<String, Map<String, Object>> all = manifests();
    Map<String, Object> pod = at(all.get("StatefulSet/netflow"), "spec", "template", "spec");
    Map<String, Object> node = at(pod, "containers", "0");
    assertThat((String) at(node, "readinessProbe", "httpGet", "path")).isEqualTo("/ready");
    assertThat((String) at(node, "startupProbe", "httpGet", "path")).isEqualTo("/ready");
    assertThat((String) at(node, "livenessProbe", "httpGet", "path")).isEqualTo("/health");
    int grace = at(pod, "terminationGracePeriodSeconds");
    assertThat(grace * 1000L).as("the pod outlives the node's own shutdown timeout")
      .isGreaterThan(NodeConfig.defaults().getLong(NodeKeys.SHUTDOWN_TIMEOUT));
    assertThat((Boolean) at(all.get("Service/netflow-cluster"), "spec", "publishNotReadyAddresses")).isTrue();
    assertThat((String) at(all.get("Service/netflow-cluster"), "spec", "clusterIP")).isEqualTo("None");
    assertThat((Integer) at(all.get("PodDisruptionBudget/netflow"), "spec", "maxUnavailable")).isEqualTo(1);
  }
}
