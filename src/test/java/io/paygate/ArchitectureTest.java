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

/** The seams of docs/architecture.md and docs/decisions, enforced. */
class ArchitectureTest {
    /**
     * The production classes: target/classes, where the gateway's own classes are compiled (the
     * Artemis protocol classes unzipped there by the build, docs/decisions/0009, are not ours).
     */
    private static final Path PRODUCTION = location(Gateway.class);
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> location.contains("/io/paygate/"))
            .importPath(PRODUCTION);
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

    /** A provider module's own packages: io.paygate.provider.<name>.. (not the seam in io.paygate.provider). */
    private static final com.tngtech.archunit.base.DescribedPredicate<JavaClass> IN_A_PROVIDER_MODULE =
            com.tngtech.archunit.base.DescribedPredicate.describe("in a provider module's package",
                    c -> c.getPackageName().startsWith("io.paygate.provider."));

    @Test
    void theCoreKnowsNoProviderModule() {
        // Providers are found at start (ServiceLoader); nothing outside a module may name one.
        noClasses().that().resideInAPackage("io.paygate..")
                .and().resideOutsideOfPackage("io.paygate.provider.*..")
                .should().dependOnClassesThat(IN_A_PROVIDER_MODULE)
                .check(MAIN);
    }

    @Test
    void theCoreNamesNoProviderInItsCode() throws java.io.IOException {
        // The dependency rule above cannot see a provider's name written as a string ("wechat"):
        // read the core's sources, comments left out, for the names of the installed modules.
        java.util.Set<String> names = io.paygate.provider.ProviderModules.installed().keySet();
        assertThat(names).contains("wechat", "pooul", "ystpay", "testpay");
        Path src = Path.of("src/main/java/io/paygate");
        java.util.List<String> found = new java.util.ArrayList<>();
        try (var files = java.nio.file.Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path rel = src.relativize(f);
                if (rel.getNameCount() > 2 && rel.getName(0).toString().equals("provider")) {
                    continue; // a module's own package
                }
                for (String literal : stringLiterals(java.nio.file.Files.readString(f))) {
                    for (String n : names) {
                        if (literal.toLowerCase(java.util.Locale.ROOT).matches("(?s).*\\b" + n + "\\b.*")) {
                            found.add(rel + ": \"" + literal + "\"");
                        }
                    }
                }
            }
        }
        assertThat(found).as("provider names in the core's code").isEmpty();
    }

    /** The string literals of a Java source, comments and char literals skipped. */
    static java.util.List<String> stringLiterals(String src) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '/') {
                i = src.indexOf('\n', i);
                i = i < 0 ? src.length() : i;
            } else if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '*') {
                i = src.indexOf("*/", i + 2);
                i = i < 0 ? src.length() : i + 2;
            } else if (c == '\'') {
                i = src.indexOf('\'', i + (src.charAt(i + 1) == '\\' ? 3 : 2)) + 1;
            } else if (c == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < src.length() && src.charAt(i) != '"') {
                    if (src.charAt(i) == '\\') {
                        b.append(src.charAt(i++));
                    }
                    b.append(src.charAt(i++));
                }
                out.add(b.toString());
                i++;
            } else {
                i++;
            }
        }
        return out;
    }

    @Test
    void theLiteralScannerSeesStringsNotComments() {
        assertThat(stringLiterals("a(\"x/*y\"); // \"no\"\n/* \"no\" */ char q = '\"'; b(\"wechat.port\");"))
                .containsExactly("x/*y", "wechat.port");
    }
}
