package io.paygate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The seams of DESIGN.md, enforced. */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.paygate");

    @Test
    void theSandboxIsAnIndependentTwinOfTheProviders() {
        noClasses().that().resideInAPackage("io.paygate.sandbox..")
                .should().dependOnClassesThat().resideInAnyPackage("io.paygate.provider..", "io.paygate.canonical..",
                        "io.paygate.api..", "io.paygate.store..", "io.paygate.xml..", "io.paygate.config..", "io.paygate.notify..")
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
