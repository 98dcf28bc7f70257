package io.netflow.node;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package picture the README draws, held: dependencies point one way between the parts of the
 * node, and within the gateway; the gateway and the console know no capability of the engine.
 */
class PackageRulesTest {

  private static final JavaClasses NETFLOW = new ClassFileImporter()
    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.netflow");

  @Test
  void thePartsOfTheNodeHaveNoCycles() {
    // Every module's classes are on this test's class path: the rules see the whole node.
    assertThat(NETFLOW.containPackage("io.netflow.gateway.auth")).isTrue();
    assertThat(NETFLOW.containPackage("io.netflow.console")).isTrue();
    assertThat(NETFLOW.containPackage("io.netflow.scheduling.impl")).isTrue();
    slices().matching("io.netflow.(*)..").should().beFreeOfCycles().check(NETFLOW);
  }

  @Test
  void theGatewaysPackagesHaveNoCycles() {
    slices().matching("io.netflow.gateway.(*)..").should().beFreeOfCycles().check(NETFLOW);
  }

  @Test
  void theGatewayAndTheConsoleKnowNoCapability() {
    noClasses().that().resideInAnyPackage("io.netflow.gateway..", "io.netflow.console..")
      .should().dependOnClassesThat().resideInAnyPackage("io.netflow.membership..", "io.netflow.mesh..",
        "io.netflow.routing..", "io.netflow.lanes..", "io.netflow.load..", "io.netflow.models..",
        "io.netflow.scheduling..", "io.netflow.rewards..", "io.netflow.journal..", "io.netflow.node..")
      .check(NETFLOW);
  }
}
