package io.paygate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The seams of DESIGN.md, enforced. */
class ArchitectureTest {
    /** The production classes: target/classes, where the gateway's own classes are compiled. */
    private static final Path PRODUCTION = location(Gateway.class);
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPath(PRODUCTION);
    /** src/sandbox/java compiled: target/sandbox-classes (pom.xml, execution compile-sandbox). */
    private static final JavaClasses SANDBOX = new ClassFileImporter()
            .importPath(PRODUCTION.resolveSibling("sandbox-classes"));

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSandboxIsAnIndependentTwinOfTheProviders() {
        assertThat(SANDBOX.containPackage("io.paygate.sandbox.wechat"))
                .as("simulators imported from " + PRODUCTION.resolveSibling("sandbox-classes")).isTrue();
        noClasses().that().resideInAPackage("io.paygate.sandbox..")
                .should().dependOnClassesThat().resideInAnyPackage("io.paygate.provider..", "io.paygate.canonical..",
                        "io.paygate.api..", "io.paygate.store..", "io.paygate.xml..", "io.paygate.config..", "io.paygate.notify..",
                        "io.paygate.events..", "io.paygate.broker..", "io.paygate.delivery..", "io.paygate.reconcile..",
                        "io.paygate.sandboxrun..")
                .orShould().dependOnClassesThat().resideInAPackage("io.paygate")
                .check(SANDBOX);
    }

    @Test
    void productionClassesNeverContainNorNameTheSandbox() {
        assertThat(MAIN.containPackage("io.paygate.api")).as("production classes imported from " + PRODUCTION).isTrue();
        assertThat(MAIN.stream().map(JavaClass::getPackageName)
                .filter(p -> p.matches("io\\.paygate\\.(sandbox|sandboxrun|tools)(\\..*)?")))
                .as("sandbox packages in " + PRODUCTION).isEmpty();
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.paygate.sandbox..", "io.paygate.sandboxrun..", "io.paygate.tools..")
                .check(MAIN);
    }

    @Test
    void connectorsNeverTouchTheStore() {
        // A module may keep a table of its own (Ystpay's request numbers) in its store subpackage,
        // and its module class hands that the database; nothing else of a provider touches the store.
        noClasses().that().resideInAPackage("io.paygate.provider..")
                .and().resideOutsideOfPackage("io.paygate.provider.*.store..")
                .and().haveSimpleNameNotEndingWith("Module")
                .and().doNotHaveFullyQualifiedName("io.paygate.provider.ProviderModule$Context")
                .should().dependOnClassesThat().resideInAnyPackage("io.paygate.store..", "io.paygate.api..", "java.sql..")
                .check(MAIN);
    }

    @Test
    void onlyAProviderPackageKnowsItsWireModel() {
        noClasses().that().resideOutsideOfPackage("io.paygate.provider.wechat..")
                .and().resideOutsideOfPackage("io.paygate")
                .should().dependOnClassesThat().resideInAPackage("io.paygate.provider.wechat..")
                .check(MAIN);
    }

    @Test
    void theCanonicalModelDependsOnNoOtherPart() {
        noClasses().that().resideInAPackage("io.paygate.canonical..")
                .should().dependOnClassesThat().resideInAnyPackage("io.paygate.provider..", "io.paygate.store..",
                        "io.paygate.api..", "io.paygate.sandbox..", "org.apache.camel..")
                .check(MAIN);
    }
}
