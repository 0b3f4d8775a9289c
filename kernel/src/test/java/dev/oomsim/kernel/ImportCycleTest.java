package dev.oomsim.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No two kernel classes in different packages reach each other through imports or fully-qualified names (image and
 * {@code Zone}, image and {@code Task}, {@code PageAllocator} and {@code OomKiller} once did). Same-package references
 * need no import and are not edges here.
 */
class ImportCycleTest {
    private static final Path MAIN = Path.of("src", "main", "java");
    private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.oomsim\\.kernel(?:\\.[a-z]\\w*)*\\.[A-Z]\\w*)");
    private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

    private static Map<String, Set<String>> crossPackageEdges() throws IOException {
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = MAIN.relativize(p).toString().replace('\\', '/');
                if (!name.endsWith("package-info.java")) {
                    sources.put(name.substring(0, name.length() - ".java".length()).replace('/', '.'),
                            Files.readString(p));
                }
            }
        }
        Map<String, Set<String>> edges = new TreeMap<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Set<String> to = new TreeSet<>();
            Matcher m = REFERENCE.matcher(COMMENT.matcher(e.getValue()).replaceAll(""));
            while (m.find()) {
                String target = m.group(1);
                if (sources.containsKey(target) && !packageOf(target).equals(packageOf(e.getKey()))) {
                    to.add(target);
                }
            }
            edges.put(e.getKey(), to);
        }
        return edges;
    }

    private static String packageOf(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }

    /** Every cycle's classes, found by a depth-first walk from each class back to itself. */
    private static List<String> cycles(Map<String, Set<String>> edges) {
        List<String> out = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (String start : edges.keySet()) {
            Map<String, String> parent = new HashMap<>();
            Deque<String> todo = new ArrayDeque<>(edges.get(start));
            edges.get(start).forEach(n -> parent.put(n, start));
            while (!todo.isEmpty()) {
                String n = todo.pop();
                if (n.equals(start)) {
                    List<String> path = new ArrayList<>();
                    String c = parent.get(start);
                    path.add(start);
                    while (!c.equals(start)) {
                        path.add(0, c);
                        c = parent.get(c);
                    }
                    path.add(0, start);
                    if (reported.add(new TreeSet<>(path).toString())) {
                        out.add(String.join(" -> ", path));
                    }
                    break;
                }
                for (String next : edges.getOrDefault(n, Set.of())) {
                    if (!parent.containsKey(next)) {
                        parent.put(next, n);
                        todo.push(next);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void noTwoClassesInDifferentPackagesImportEachOtherInACycle() throws IOException {
        assertThat(cycles(crossPackageEdges())).isEmpty();
    }

    @Test
    void theCheckFindsACycle() {
        Map<String, Set<String>> edges = new TreeMap<>(Map.of("a.X", Set.of("b.Y"), "b.Y", Set.of("c.Z"), "c.Z",
                Set.of("a.X"), "d.W", Set.of("a.X")));
        assertThat(cycles(edges)).containsExactly("a.X -> b.Y -> c.Z -> a.X");
    }
}
