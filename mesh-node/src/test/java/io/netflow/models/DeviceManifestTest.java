package io.netflow.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netflow.client.models.ModelSync;
import io.netflow.client.models.ModelSyncException;
import io.netflow.client.models.SignedManifest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's reading of a manifest (it cannot share the node's code) is the node's, to the byte. */
class DeviceManifestTest {

  @TempDir
  Path tmp;

  @Test
  void theDeviceChecksExactlyWhatThePublisherSigned() throws Exception {
    ModelFixture fx = new ModelFixture(tmp);
    ModelManifest signed = fx.sign(fx.model("m.bin", 300_000, 9), "policy", "v3");
    SignedManifest onDevice = SignedManifest.fromJson(new ObjectMapper().readTree(signed.toJson().encode()));
    assertThat(onDevice.signedText()).isEqualTo(signed.signedText());
    onDevice.verify(ModelSync.trust("ops=" + ModelKeys.encode(fx.publisher.getPublic())));

    SignedManifest forged = SignedManifest.fromJson(new ObjectMapper().readTree(signed.toJson().put("size", 300_001)
      .encode()));
    assertThatThrownBy(() -> forged.verify(ModelSync.trust("ops=" + ModelKeys.encode(fx.publisher.getPublic()))))
      .isInstanceOf(ModelSyncException.class).hasMessageContaining("wrong signature");
    assertThatThrownBy(() -> onDevice.verify(ModelSync.trust("other=" + ModelKeys.encode(fx.publisher.getPublic()))))
      .isInstanceOf(ModelSyncException.class).hasMessageContaining("does not trust");
  }
}
