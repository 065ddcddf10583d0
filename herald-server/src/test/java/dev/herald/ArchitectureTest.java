package dev.herald;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/ARCHITECTURE.md, checked on the compiled classes so a change that
 * breaks them fails the build: no package cycles, and dependencies pointing one way
 * (transport → gateway → bus ← notify → store; api → domain; leaves used by all).
 */
class ArchitectureTest {
  private static JavaClasses herald;

  @BeforeAll
  static void importClasses() {
    herald = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.herald");
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("dev.herald.(**)").should().beFreeOfCycles().check(herald);
  }

  @Test
  void gatewayKnowsNoTransportNorDomainNorHttp() {
    noClasses().that().resideInAPackage("dev.herald.gateway..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.herald.transport..", "dev.herald.api..",
            "dev.herald.http..", "dev.herald.notify..", "dev.herald.preferences..", "dev.herald.templates..",
            "dev.herald.store..")
        .check(herald);
  }

  @Test
  void transportsOnlyDecodeAndEncodeForTheGateway() {
    noClasses().that().resideInAPackage("dev.herald.transport..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.herald.api..", "dev.herald.notify..",
            "dev.herald.preferences..", "dev.herald.templates..", "dev.herald.store..")
        .check(herald);
  }

  @Test
  void domainKnowsNoGatewayNorTransportNorRoutes() {
    // notify publishes on the bus and implements the bus's Inbox; the gateway consumes both
    noClasses().that().resideInAnyPackage("dev.herald.notify..", "dev.herald.preferences..", "dev.herald.templates..",
            "dev.herald.delivery..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.herald.gateway..", "dev.herald.transport..",
            "dev.herald.api..", "dev.herald.http..")
        .check(herald);
  }

  @Test
  void routesReachTheGatewayOnlyThroughTheBus() {
    noClasses().that().resideInAPackage("dev.herald.api..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.herald.gateway..", "dev.herald.transport..")
        .check(herald);
  }

  @Test
  void busKnowsOnlyLeaves() {
    noClasses().that().resideInAPackage("dev.herald.bus..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.herald.gateway..", "dev.herald.transport..",
            "dev.herald.api..", "dev.herald.http..", "dev.herald.notify..", "dev.herald.preferences..",
            "dev.herald.templates..", "dev.herald.store..")
        .check(herald);
  }

  @Test
  void storeKnowsNothingAboveIt() {
    noClasses().that().resideInAPackage("dev.herald.store..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.herald.gateway..", "dev.herald.transport..",
            "dev.herald.api..", "dev.herald.http..", "dev.herald.notify..", "dev.herald.preferences..",
            "dev.herald.templates..", "dev.herald.bus..")
        .check(herald);
  }

  @Test
  void vertxInternalsAreReachedOnlyThroughTheAdapter() {
    noClasses().that().resideOutsideOfPackage("dev.herald.vertx..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx.core.internal..", "io.vertx.core.impl..",
            "io.vertx.core.net.impl..", "io.vertx.core.http.impl..")
        .check(herald);
  }

  @Test
  void leavesDependOnNoCapability() {
    noClasses().that().resideInAnyPackage("dev.herald.http..", "dev.herald.validation..", "dev.herald.config..",
            "dev.herald.ops..", "dev.herald.time..", "dev.herald.vertx..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.herald.gateway..", "dev.herald.transport..",
            "dev.herald.api..", "dev.herald.notify..", "dev.herald.preferences..", "dev.herald.templates..",
            "dev.herald.store..", "dev.herald.bus..")
        .check(herald);
  }
}
