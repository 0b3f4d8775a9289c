package dev.oomsim.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every repository path a document cites exists: markdown links {@code [text](path)} in {@code *.md} files (relative to
 * the file), and mentions of a markdown file under {@code docs} in {@code *.md}, {@code *.java} and {@code pom.xml}
 * files (relative to the repository root). Nothing may cite the team's design folder outside the repository (the
 * sibling {@code shared} directory or its {@code design} folder): the design docs live in {@code docs}. The test's
 * own sample citations are built from pieces ({@link #D}, {@link #SHARED}) so that this file cites nothing.
 */
class DocLinksTest {
    private static final Set<String> SKIPPED_DIRS = Set.of("target", ".git", "node_modules");
    /** {@code [text](target)} or {@code [text](target "title")}; group 1 is the target. */
    private static final Pattern LINK =
            Pattern.compile("\\[[^\\]\\n]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern DOCS_MENTION = Pattern.compile("(?<![\\w/.-])docs/[\\w./-]*?\\.md(?![\\w-])");
    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./share[d]\\b|shared/desig[n]/");
    /** The docs folder, written so that it is no citation itself. */
    private static final String D = "docs" + "/";
    /** The outside design folder, written so that it is no citation itself. */
    private static final String SHARED = ".." + "/shared";
    private static final Pattern LINK_TARGET = Pattern.compile("\\]\\([^)\\n]*\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");

    @Test
    void everyCitedPathInTheRepositoryExists() throws IOException {
        Path root = repositoryRoot(Path.of("").toAbsolutePath());
        assertThat(problems(root)).isEmpty();
    }

    @Test
    void brokenLinksMentionsAndOutsideCitationsAreReported(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("pom.xml"), "<project><modules><module>kernel</module></modules></project>\n");
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve(D + "present.md"), "# Present\n");
        Files.writeString(dir.resolve("README.md"), String.join("\n",
                "[ok](" + D + "present.md#a-heading) [web](https://example.com/x.md) [anchor](#top)",
                "[broken](" + D + "absent.md)",
                "See `" + D + "gone.md` and " + SHARED + "/design/kernel-model.md.",
                "```", "[in a fence](nowhere.md)", "```", ""));
        Path javaDir = Files.createDirectories(dir.resolve("kernel/src/main/java/x"));
        Files.writeString(javaDir.resolve("A.java"),
                "/** The model (" + D + "present.md, " + D + "kernel-model.md §4). */\nclass A {\n}\n");
        Path ignored = Files.createDirectories(dir.resolve("kernel/target"));
        Files.writeString(ignored.resolve("B.md"), "[broken](nowhere.md)\n");

        assertThat(repositoryRoot(javaDir)).isEqualTo(dir);
        assertThat(problems(dir)).containsExactly(
                "README.md:2: link to missing " + D + "absent.md",
                "README.md:3: mention of missing " + D + "gone.md",
                "README.md:3: cites the design folder outside the repository: " + SHARED,
                "kernel/src/main/java/x/A.java:1: mention of missing " + D + "kernel-model.md");
    }

    /** The nearest directory at or above {@code start} whose pom.xml lists {@code <module>kernel</module>}. */
    static Path repositoryRoot(Path start) throws IOException {
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom).contains("<module>kernel</module>")) {
                return p;
            }
        }
        throw new IllegalStateException("no parent pom.xml with <module>kernel</module> at or above " + start);
    }

    /** Every broken citation under {@code root}, as {@code file:line: what}, files in path order. */
    static List<String> problems(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                return !d.equals(root) && SKIPPED_DIRS.contains(d.getFileName().toString())
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                String name = f.getFileName().toString();
                if (name.endsWith(".md") || name.endsWith(".java") || name.equals("pom.xml")) {
                    files.add(f);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        files.sort(null);
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            check(root, f, out);
        }
        return out;
    }

    private static void check(Path root, Path file, List<String> out) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String rel = root.relativize(file).toString().replace('\\', '/');
        boolean markdown = rel.endsWith(".md");
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = rel + ":" + (i + 1) + ": ";
            if (markdown && line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (markdown && !fenced) {
                Matcher link = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
                while (link.find()) {
                    String target = link.group(1);
                    if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")
                            || target.startsWith("#")) {
                        continue;
                    }
                    String path = target.replaceAll("[#?].*$", "");
                    if (!Files.exists(file.getParent().resolve(path))) {
                        out.add(where + "link to missing " + path);
                    }
                }
            }
            // A link's target is checked above, relative to the file; the mentions are the rest of the text.
            Matcher mention = DOCS_MENTION.matcher(markdown ? LINK_TARGET.matcher(line).replaceAll("]") : line);
            while (mention.find()) {
                if (!Files.exists(root.resolve(mention.group()))) {
                    out.add(where + "mention of missing " + mention.group());
                }
            }
            Matcher outside = OUTSIDE.matcher(line);
            if (outside.find()) {
                out.add(where + "cites the design folder outside the repository: " + outside.group());
            }
        }
    }
}
