package io.jcnn.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the pages under {@code docs/} hold together: every relative link and image in the repository's
 * Markdown files names a file that exists and, where it has a {@code #fragment}, a heading of that file (by GitHub's
 * rule for heading anchors); every page of {@code docs/} is linked from the README; and the README stays a front
 * page. Links to other sites ({@code http:}, {@code https:}, {@code mailto:}) and anything inside fenced code blocks
 * or code spans are not checked. Headings are ATX headings ({@code ## Title}), the only kind the project writes.
 */
class DocumentationLinksTest {
    /** The README is a front page; the reference material lives under docs/. */
    private static final int README_MAX_LINES = 260;

    /** Folders never searched for Markdown: build outputs, hidden folders, and what runs and downloads leave. */
    private static final Set<String> SKIPPED_FOLDERS = Set.of("target", "node_modules", "runs");

    private static final Pattern INLINE_LINK = Pattern.compile(
            "(!?)\\[((?:[^\\[\\]]|\\[[^\\[\\]]*\\])*)\\]"                     // [text] or ![alt], one level of nesting
                    + "\\(\\s*(<[^>\\n]*>|[^\\s()]*)"                           // (target or (<target>
                    + "(?:\\s+(?:\"[^\"]*\"|'[^']*'|\\([^)]*\\)))?\\s*\\)");    // optional title, then )
    private static final Pattern REFERENCE_DEFINITION = Pattern.compile(
            "(?m)^ {0,3}\\[[^\\]]+\\]:\\s*(<[^>\\n]*>|\\S+)");
    private static final Pattern HTML_LINK = Pattern.compile(
            "<(?:a|img)\\s[^>]*?\\b(?:href|src)\\s*=\\s*\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_ANCHOR = Pattern.compile(
            "<[a-z][^>]*?\\b(?:id|name)\\s*=\\s*\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})(.*)$");
    private static final Pattern ATX_HEADING = Pattern.compile(
            "^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)(?<!`)\\1(?!`)");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    private final Path root = repositoryRoot();

    @Test
    void everyRelativeLinkAndImageResolves() {
        List<Path> files = markdownFiles();
        assertTrue(files.contains(root.resolve("README.md")), "README.md not found under " + root);
        assertTrue(files.stream().filter(f -> f.startsWith(root.resolve("docs"))).count() >= 5,
                "found only these Markdown files under " + root + ": " + files);

        List<String> problems = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        int checked = 0;
        for (Path file : files) {
            for (Link link : links(read(file))) {
                checked++;
                String problem = problem(file, link.target(), anchors);
                if (problem != null) {
                    problems.add(relative(file) + ":" + link.line() + ": " + link.text() + ": " + problem);
                }
            }
        }
        assertTrue(checked > 50, "checked only " + checked + " links in " + files.size() + " files: is the parser "
                + "finding them?");
        if (!problems.isEmpty()) {
            fail(problems.size() + " broken links in the documentation:\n" + String.join("\n", problems) + "\n");
        }
    }

    @Test
    void everyDocsPageIsLinkedFromTheReadme() throws IOException {
        Path readme = root.resolve("README.md");
        Set<Path> linked = new TreeSet<>();
        for (Link link : links(read(readme))) {
            Path target = resolve(readme, link.target());
            if (target != null) {
                linked.add(target);
            }
        }
        Set<String> orphans = new TreeSet<>();
        try (Stream<Path> pages = Files.list(root.resolve("docs"))) {
            pages.filter(p -> p.getFileName().toString().endsWith(".md")).map(Path::normalize)
                    .filter(p -> !linked.contains(p)).forEach(p -> orphans.add(relative(p)));
        }
        assertTrue(orphans.isEmpty(), () -> "README.md links to no page of these, so no one finds them: "
                + String.join(", ", orphans) + " (add each to the README's Documentation list)");
    }

    @Test
    void theReadmeIsAFrontPage() throws IOException {
        int lines = Files.readAllLines(root.resolve("README.md"), StandardCharsets.UTF_8).size();
        assertTrue(lines <= README_MAX_LINES, "README.md has " + lines + " lines, more than " + README_MAX_LINES
                + ": move reference material to a page under docs/ and link it from the README");
    }

    @Test
    void slugsFollowGitHub() {
        assertEquals("faster-cpu-matrix-products-optional", slug("Faster CPU matrix products (optional)"));
        assertEquals("the-cpu-backend-vector-width-algorithms-reproducibility",
                slug("The CPU backend: vector width, algorithms, reproducibility"));
        assertEquals("jcnn-train-options", slug("`jcnn train`: options"));
        assertEquals("what---device-auto-picks", slug("What `--device auto` picks"));
        assertEquals("checkpoint-format-version-1", slug("Checkpoint format (version 1)"));
        assertEquals("snake_case-and-33-filters", slug("snake_case and 3×3 filters"));
        assertEquals("the-gpu-setup-page", slug("The [GPU setup](docs/gpu-setup.md) page"));
        assertEquals("emphasis-and-bold", slug("*Emphasis* and __bold__"));
        assertEquals("café-à-la-carte", slug("Café à la carte"));
    }

    @Test
    void headingAnchorsAreNumberedWhenRepeatedAndCodeIsSkipped() {
        String page = "# Title\n\n## Options\n\n```\n# not a heading\n```\n\n## Options ##\n\n"
                + "<a name=\"custom\"></a>\n";
        assertEquals(Set.of("title", "options", "options-1", "custom"), anchors(page));
    }

    @Test
    void linksAreFoundInTextAndNotInCode() {
        String page = String.join("\n",
                "See [a page](docs/a.md#part) and ![a picture](pic.png \"title\"), [wrapped",
                "text](b.md), and [![badge](badge.svg)](c.md).",
                "",
                "```java",
                "x[i](y); // [not a link](nowhere.md)",
                "```",
                "Inline `[code](nowhere.md)` is not a link; [`code` text](d.md) is.",
                "",
                "[ref]: e.md");
        List<String> found = links(page).stream().map(l -> l.line() + " " + l.target()).collect(Collectors.toList());
        assertEquals(List.of("1 docs/a.md#part", "1 pic.png", "2 b.md", "2 badge.svg", "2 c.md", "7 d.md", "9 e.md"),
                found);
    }

    /** Why a link from {@code file} to {@code target} is broken, or null when it resolves. */
    private String problem(Path file, String target, Map<Path, Set<String>> anchors) {
        if (isExternal(target)) {
            return null;
        }
        Path path = resolve(file, target);
        if (path == null) {
            return "cannot be read as a path";
        }
        if (!path.startsWith(root)) {
            return "points outside the repository";
        }
        if (!Files.exists(path)) {
            return "no file " + relative(path);
        }
        int hash = target.indexOf('#');
        String fragment = hash < 0 ? "" : decode(target.substring(hash + 1));
        if (fragment.isEmpty()) {
            return null;
        }
        Path page = Files.isDirectory(path) ? path.resolve("README.md") : path;
        if (!page.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".md") || !Files.isRegularFile(page)) {
            return null; // a line anchor in a source file, or a folder without a README: nothing to check
        }
        Set<String> known = anchors.computeIfAbsent(page, p -> anchors(read(p)));
        if (!known.contains(fragment)) {
            return "no heading #" + fragment + " in " + relative(page) + " (its headings: "
                    + String.join(", ", new TreeSet<>(known)) + ")";
        }
        return null;
    }

    private static boolean isExternal(String target) {
        return SCHEME.matcher(target).find() || target.startsWith("//");
    }

    /** The file a relative link names (the file itself for a bare fragment), or null for an external link. */
    private Path resolve(Path file, String target) {
        if (isExternal(target)) {
            return null;
        }
        String path = target;
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        path = decode(path);
        try {
            if (path.isEmpty()) {
                return file.normalize();
            }
            Path base = path.startsWith("/") ? root : file.getParent();
            return base.resolve(path.replaceFirst("^/+", "")).normalize();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /**
     * A link as written: where its target starts in the file (a character offset, and the 1-based line), how it
     * reads in the file, and its target.
     */
    record Link(int position, int line, String text, String target) {
    }

    /**
     * Every inline link and image, reference definition and HTML {@code href}/{@code src} of a Markdown text, in
     * order of position; a link whose text wraps onto the next line counts on the line of its target. Fenced code
     * blocks and code spans are blanked first, so nothing inside them counts.
     */
    static List<Link> links(String markdown) {
        String text = withoutCode(markdown);
        List<Link> found = new ArrayList<>();
        collectInline(text, 0, text.length(), found);
        for (Pattern pattern : List.of(REFERENCE_DEFINITION, HTML_LINK)) {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                found.add(link(text, m.start(), m.end(), m.start(1), m.group(1)));
            }
        }
        found.sort(Comparator.comparingInt(Link::position));
        return found;
    }

    private static void collectInline(String text, int from, int to, List<Link> found) {
        Matcher m = INLINE_LINK.matcher(text).region(from, to);
        while (m.find()) {
            found.add(link(text, m.start(), m.end(), m.start(3), m.group(3)));
            // A link inside the text of another, such as an image inside a link.
            collectInline(text, m.start(2), m.end(2), found);
        }
    }

    private static Link link(String text, int start, int end, int targetStart, String target) {
        String t = target.startsWith("<") && target.endsWith(">") ? target.substring(1, target.length() - 1) : target;
        return new Link(targetStart, lineOf(text, targetStart),
                text.substring(start, end).replaceAll("\\s*\\n\\s*", " "), t);
    }

    private static int lineOf(String text, int position) {
        int line = 1;
        for (int i = 0; i < position && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * The text with every line of a fenced code block (fences included) emptied and every code span replaced by
     * the same number of spaces, so that positions and line numbers stay those of the file.
     */
    static String withoutCode(String markdown) {
        String[] lines = markdown.split("\n", -1);
        StringBuilder out = new StringBuilder(markdown.length());
        String fence = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (fence == null && opensFence(line) != null) {
                fence = opensFence(line);
                line = "";
            } else if (fence != null) {
                if (closesFence(line, fence)) {
                    fence = null;
                }
                line = "";
            } else {
                Matcher span = CODE_SPAN.matcher(line);
                StringBuilder blanked = new StringBuilder();
                while (span.find()) {
                    span.appendReplacement(blanked, " ".repeat(span.end() - span.start()));
                }
                span.appendTail(blanked);
                line = blanked.toString();
            }
            out.append(line);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** The fence a line opens a fenced code block with (``` or ~~~, or longer), or null. */
    private static String opensFence(String line) {
        Matcher f = FENCE.matcher(line);
        if (!f.matches() || (f.group(1).charAt(0) == '`' && f.group(2).contains("`"))) {
            return null;
        }
        return f.group(1);
    }

    /** Whether a line closes the code block that {@code fence} opened: as long a run of the same character, alone. */
    private static boolean closesFence(String line, String fence) {
        String trimmed = line.strip();
        return trimmed.length() >= fence.length() && trimmed.chars().allMatch(c -> c == fence.charAt(0));
    }

    /**
     * The anchors GitHub gives a Markdown text: the slug of every ATX heading outside fenced code, a repeated slug
     * numbered {@code -1}, {@code -2}, ... in order, and the {@code id} or {@code name} of HTML elements.
     */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        String fence = null;
        for (String line : markdown.split("\n", -1)) {
            if (fence == null && opensFence(line) != null) {
                fence = opensFence(line);
                continue;
            }
            if (fence != null) {
                if (closesFence(line, fence)) {
                    fence = null;
                }
                continue;
            }
            Matcher h = ATX_HEADING.matcher(line);
            if (h.matches()) {
                String base = slug(h.group(2) == null ? "" : h.group(2));
                int n = seen.merge(base, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? base : base + "-" + n);
            }
            Matcher a = HTML_ANCHOR.matcher(line);
            while (a.find()) {
                anchors.add(a.group(1));
            }
        }
        return anchors;
    }

    /**
     * GitHub's anchor for a heading: the text as it renders (links by their text, no code, emphasis or HTML
     * markup), lower-cased, with every character but letters, digits, marks, '-' and '_' dropped and each space
     * turned into '-'.
     */
    static String slug(String heading) {
        String text = heading.strip()
                .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // links and images by their text
                .replaceAll("<[^>]+>", "");                         // HTML tags
        // Code spans keep their text as it is; emphasis markers outside them go.
        StringBuilder rendered = new StringBuilder();
        Matcher span = CODE_SPAN.matcher(text);
        int last = 0;
        while (span.find()) {
            rendered.append(withoutEmphasis(text.substring(last, span.start()))).append(span.group(2).strip());
            last = span.end();
        }
        rendered.append(withoutEmphasis(text.substring(last)));

        StringBuilder slug = new StringBuilder();
        rendered.toString().toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_' || type == Character.NON_SPACING_MARK
                    || type == Character.COMBINING_SPACING_MARK || type == Character.ENCLOSING_MARK) {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }

    /** Text with its emphasis markers ({@code *a*}, {@code **a**}, {@code _a_}, {@code __a__}) removed. */
    private static String withoutEmphasis(String text) {
        return text.replace("*", "")
                .replaceAll("(?<![\\p{L}\\p{N}_])_{1,2}(?=\\S)(.+?)(?<=\\S)_{1,2}(?![\\p{L}\\p{N}_])", "$1");
    }

    /** README.md, and every Markdown file of the repository outside build outputs and hidden folders. */
    private List<Path> markdownFiles() {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.getFileName().toString().endsWith(".md"))
                    .filter(Files::isRegularFile)
                    .filter(p -> !skipped(p))
                    .map(Path::normalize)
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private boolean skipped(Path file) {
        Path rel = root.relativize(file);
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            String name = rel.getName(i).toString();
            if (name.startsWith(".") || SKIPPED_FOLDERS.contains(name) || (i == 0 && name.equals("data"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The repository's root: the nearest folder at or above the working directory (the module's folder under
     * Maven) that holds README.md and either .git or the aggregator POM.
     */
    private static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md"))
                    && (Files.exists(dir.resolve(".git")) || isAggregator(dir.resolve("pom.xml")))) {
                return dir;
            }
        }
        throw new IllegalStateException("no folder at or above " + start
                + " holds README.md and .git or an aggregator pom.xml");
    }

    private static boolean isAggregator(Path pom) {
        return Files.isRegularFile(pom) && read(pom).contains("<modules>");
    }

    private String relative(Path path) {
        return root.relativize(path).toString().replace('\\', '/');
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
