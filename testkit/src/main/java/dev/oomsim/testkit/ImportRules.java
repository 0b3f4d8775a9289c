package dev.oomsim.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A module's layering, judged from the imports of its main sources (the way the kernel's {@code PurityTest} guards
 * its purity): which of the project's packages a module may not reach. Each service module's {@code LayeringTest}
 * names its own rule; a violation names the file, the line and the import.
 */
public final class ImportRules {

    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)(?:\\.\\*)?\\s*;");

    private final Path sources;

    private ImportRules(Path sources) {
        this.sources = sources;
    }

    /** The main sources of the module the test runs in ({@code src/main/java}). */
    public static ImportRules ofThisModule() {
        return new ImportRules(Path.of("src", "main", "java"));
    }

    /** One import of one source file. */
    public record Import(Path file, int line, String name) {
        @Override
        public String toString() {
            return file + ":" + line + ": import " + name;
        }
    }

    /** Every import of every main source file, in file and line order. */
    public List<Import> imports() {
        List<Import> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = IMPORT.matcher(lines.get(i).trim());
                    if (m.find()) {
                        out.add(new Import(p, i + 1, m.group(1)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sources under " + sources.toAbsolutePath(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no imports found under " + sources.toAbsolutePath()
                    + ": is the test running in its module's directory?");
        }
        return out;
    }

    /** The imports that reach into any of {@code packages} (a package and everything below it). */
    public List<Import> importsOf(String... packages) {
        return imports().stream().filter(i -> within(i.name(), packages)).toList();
    }

    /** The files that import from both {@code a} and {@code b} (each a package and everything below it). */
    public List<Path> filesImportingBoth(String a, String b) {
        List<Import> all = imports();
        return all.stream().map(Import::file).distinct()
                .filter(f -> all.stream().anyMatch(i -> i.file().equals(f) && within(i.name(), a)))
                .filter(f -> all.stream().anyMatch(i -> i.file().equals(f) && within(i.name(), b)))
                .toList();
    }

    private static boolean within(String name, String... packages) {
        for (String p : packages) {
            if (name.equals(p) || name.startsWith(p + ".")) {
                return true;
            }
        }
        return false;
    }
}
