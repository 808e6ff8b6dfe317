package io.paygate;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.config.GatewaySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The docs name only what exists: every repository file, configuration key and HTTP endpoint that
 * README.md, CHANGELOG.md and docs/ name in code spans or links. A renamed file, a removed key or a
 * moved endpoint fails here until every sentence that names it is changed too.
 */
class DocsTruthTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    /** A code span: `...`. */
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    /** A Markdown link target: ](...). */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern FILE = Pattern.compile(
            "^(?:\\./)?((?:src|docs|routes|config|scripts|clients|integration-tests|\\.ci)/[A-Za-z0-9_./-]+|"
                    + "(?:README|CHANGELOG|LICENSE)(?:\\.md)?|pom\\.xml)$");
    private static final Pattern KEY = Pattern.compile("^(gateway\\.[a-z0-9.-]*[a-z0-9])(?:=.*)?$");
    private static final Pattern ENDPOINT = Pattern.compile(
            "^(?:(?:GET|POST|PUT|DELETE) )?(/(?:api|observe|admin|notify)(?:/[^\\s?`]*)?)(?:\\?.*)?$");

    private static List<Path> docs;
    private static Set<String> keys;
    private static List<Pattern> endpoints;

    @BeforeAll
    static void read() throws IOException {
        docs = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CHANGELOG.md")));
        try (Stream<Path> s = Files.walk(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        keys = GatewaySettings.knownKeys();
        endpoints = new ArrayList<>();
        try (Stream<Path> s = Files.list(ROOT.resolve("routes"))) {
            for (Path route : s.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                Matcher m = Pattern.compile("(?:platform|management)-http:(/[^\"\\s]*)").matcher(Files.readString(route));
                while (m.find()) {
                    // {name} in a route matches one path segment.
                    endpoints.add(Pattern.compile(Pattern.quote(m.group(1)).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q")));
                }
            }
        }
        assertThat(docs).hasSizeGreaterThan(10);
        assertThat(endpoints).hasSizeGreaterThan(5);
    }

    /**
     * Every code span and link target of every doc, with the doc it is in. A line that shows a
     * wrong value on purpose (an unknown key refused, a typo) says so, and is left out.
     */
    private static List<String[]> mentions() throws IOException {
        List<String[]> out = new ArrayList<>();
        for (Path doc : docs) {
            for (String line : Files.readAllLines(doc)) {
                if (line.matches("(?i).*(is refused|typo|unknown key|did you mean).*")) {
                    continue;
                }
                for (Pattern p : List.of(CODE, LINK)) {
                    Matcher m = p.matcher(line);
                    while (m.find()) {
                        out.add(new String[] {ROOT.relativize(doc).toString(), m.group(1).trim(), p == LINK ? "link" : "code"});
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyFileTheDocsNameExists() throws IOException {
        Set<String> missing = new TreeSet<>();
        int checked = 0;
        for (String[] m : mentions()) {
            String target = m[1];
            Path base = ROOT;
            if (m[2].equals("link")) {
                if (target.contains("://") || target.startsWith("#") || target.startsWith("mailto:")) {
                    continue;
                }
                target = target.replaceAll("#.*$", "");
                base = ROOT.resolve(m[0]).getParent();
            } else {
                target = target.replaceAll(":[0-9-]+$", "").replaceAll("[.,;:]$", "");
                if (!FILE.matcher(target).matches()) {
                    continue;
                }
            }
            if (target.isEmpty() || target.contains("<") || target.contains("*") || target.contains("{")) {
                continue;
            }
            checked++;
            if (!Files.exists(base.resolve(target).normalize())) {
                missing.add(m[0] + ": " + m[1]);
            }
        }
        assertThat(checked).as("file names checked").isGreaterThan(30);
        assertThat(missing).as("files named in the docs that do not exist").isEmpty();
    }

    @Test
    void everyConfigurationKeyTheDocsNameIsKnown() throws IOException {
        Set<String> unknown = new TreeSet<>();
        int checked = 0;
        for (String[] m : mentions()) {
            if (!m[2].equals("code")) {
                continue;
            }
            Matcher k = KEY.matcher(m[1]);
            if (!k.matches() || m[1].contains("<") || m[1].contains("*")) {
                continue;
            }
            checked++;
            if (!keys.contains(k.group(1))) {
                unknown.add(m[0] + ": " + m[1]);
            }
        }
        assertThat(checked).as("keys checked").isGreaterThan(30);
        assertThat(unknown).as("configuration keys named in the docs that the gateway does not know").isEmpty();
    }

    @Test
    void everyEndpointTheDocsNameIsServed() throws IOException {
        Set<String> unserved = new TreeSet<>();
        int checked = 0;
        for (String[] m : mentions()) {
            if (!m[2].equals("code")) {
                continue;
            }
            Matcher e = ENDPOINT.matcher(m[1]);
            if (!e.matches()) {
                continue;
            }
            // <merchant> and {merchant} in the docs stand for one path segment.
            String path = e.group(1).replaceAll("<[^>]+>|\\{[^}]+}", "x").replaceAll("/$", "");
            if (e.group(1).endsWith("/") || path.endsWith("...") || path.endsWith("*")) {
                // a family of endpoints (/admin/, /observe/*), not one
                continue;
            }
            checked++;
            if (endpoints.stream().noneMatch(p -> p.matcher(path).matches())) {
                unserved.add(m[0] + ": " + m[1]);
            }
        }
        assertThat(checked).as("endpoints checked").isGreaterThan(5);
        assertThat(unserved).as("endpoints named in the docs that no route serves").isEmpty();
    }

    /**
     * The README's Layout section lists every route file and every page of docs/ (a folder of
     * pages, such as docs/protocols/, may be named as the folder or page by page), and no route file
     * that does not exist.
     */
    @Test
    void theReadmeLayoutListsEveryRouteFileAndDoc() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher section = Pattern.compile("(?ms)^## Layout$(.*?)(?=^## )").matcher(readme);
        assertThat(section.find()).as("README.md has a Layout section").isTrue();
        String layout = section.group(1);
        Set<String> routeFiles = new TreeSet<>();
        try (Stream<Path> s = Files.list(ROOT.resolve("routes"))) {
            s.filter(p -> p.toString().endsWith(".yaml")).forEach(p -> routeFiles.add(p.getFileName().toString()));
        }
        Set<String> listed = new TreeSet<>();
        Matcher r = Pattern.compile("`([a-z0-9-]+\\.yaml)`").matcher(layout);
        while (r.find()) {
            listed.add(r.group(1));
        }
        assertThat(routeFiles).hasSizeGreaterThan(10);
        assertThat(listed).as("route files listed in the README's Layout section").isEqualTo(routeFiles);

        Set<String> unlisted = new TreeSet<>();
        try (Stream<Path> s = Files.walk(ROOT.resolve("docs"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = ROOT.relativize(p).toString().replace('\\', '/');
                String folder = rel.substring(0, rel.lastIndexOf('/') + 1);
                if (!layout.contains("(" + rel + ")") && !layout.contains("(" + folder + ")")) {
                    unlisted.add(rel);
                }
            }
        }
        assertThat(unlisted).as("docs/ files the README's Layout section does not link").isEmpty();
    }

    @Test
    void theCheckSeesWhatIsNotThere() {
        assertThat(FILE.matcher("docs/no-such-file.md").matches()).isTrue();
        assertThat(Files.exists(ROOT.resolve("docs/no-such-file.md"))).isFalse();
        assertThat(keys).doesNotContain("gateway.http.prot").contains("gateway.http.port");
        assertThat(endpoints.stream().anyMatch(p -> p.matcher("/api/v1/payments/demo-shop/R-1").matches())).isTrue();
        assertThat(endpoints.stream().anyMatch(p -> p.matcher("/api/v2/payments").matches())).isFalse();
    }
}
