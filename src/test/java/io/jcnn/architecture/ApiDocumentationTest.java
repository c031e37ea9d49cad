package io.jcnn.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.TreePath;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import jdk.javadoc.doclet.Doclet;
import jdk.javadoc.doclet.DocletEnvironment;
import jdk.javadoc.doclet.Reporter;
import org.junit.jupiter.api.Test;

/**
 * Every package, and every public or protected type, constructor, method, field and enum constant of the library
 * (the API that the javadoc jar publishes) has a doc comment. The JDK's javadoc tool parses the sources in-process
 * and a small doclet lists what lacks one. Members the compiler writes (default constructors, implicit record
 * accessors and canonical constructors, an enum's {@code values()} and {@code valueOf}) have no source to carry a
 * comment and are not asked for one; neither are methods that override another (they inherit its comment).
 */
class ApiDocumentationTest {
    private static final Path SOURCES = Path.of("main/java");

    @Test
    void everyPublicElementHasADocComment() {
        List<Path> files = sources();
        assertTrue(files.size() > 100, "found only " + files.size() + " sources under " + SOURCES.toAbsolutePath());

        DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter out = new StringWriter();
        List<String> options = List.of(
                "--add-modules", "jdk.incubator.vector",
                "-classpath", System.getProperty("java.class.path"),
                "-encoding", "UTF-8",
                "-quiet");
        boolean ran;
        try (StandardJavaFileManager fileManager = javadoc.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            MissingDocComments.reset();
            ran = javadoc.getTask(out, fileManager, diagnostics, MissingDocComments.class, options,
                    fileManager.getJavaFileObjectsFromPaths(files)).call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(ran, () -> "javadoc failed:\n" + out + diagnostics.getDiagnostics().stream()
                .map(Object::toString).collect(Collectors.joining("\n")));

        List<String> missing = MissingDocComments.found();
        assertTrue(MissingDocComments.checked() > 500,
                "checked only " + MissingDocComments.checked() + " elements: did the doclet see the sources?");
        if (!missing.isEmpty()) {
            fail(missing.size() + " public or protected elements have no doc comment:\n"
                    + String.join("\n", missing) + "\n");
        }
    }

    private static List<Path> sources() {
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            return walk.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Collects, as {@code file:line element}, every included package and public or protected element without a doc
     * comment. Javadoc instantiates the doclet itself, hence the static results.
     */
    public static final class MissingDocComments implements Doclet {
        private static final List<String> FOUND = Collections.synchronizedList(new ArrayList<>());
        private static int checked;

        static void reset() {
            FOUND.clear();
            checked = 0;
        }

        static List<String> found() {
            return List.copyOf(FOUND);
        }

        static int checked() {
            return checked;
        }

        @Override
        public void init(Locale locale, Reporter reporter) {
        }

        @Override
        public String getName() {
            return "MissingDocComments";
        }

        @Override
        public Set<? extends Option> getSupportedOptions() {
            return Set.of();
        }

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return SourceVersion.latest();
        }

        @Override
        public boolean run(DocletEnvironment env) {
            DocTrees trees = env.getDocTrees();
            Types types = env.getTypeUtils();
            List<String> found = new ArrayList<>();
            for (PackageElement pkg : ElementFilter.packagesIn(env.getIncludedElements())) {
                check(trees, pkg, found);
            }
            Set<Element> seen = new HashSet<>();
            for (TypeElement type : ElementFilter.typesIn(env.getIncludedElements())) {
                check(trees, type, found);
                checkMembers(env, type, seen, found);
                // A package-private superclass's public and protected members appear in this type's documentation.
                for (TypeElement superclass = superclass(types, type); superclass != null && !env.isIncluded(superclass)
                        && trees.getPath(superclass) != null; superclass = superclass(types, superclass)) {
                    checkMembers(env, superclass, seen, found);
                }
            }
            Collections.sort(found);
            FOUND.addAll(found);
            return true;
        }

        private static void checkMembers(DocletEnvironment env, TypeElement type, Set<Element> seen,
                List<String> found) {
            DocTrees trees = env.getDocTrees();
            for (Element member : type.getEnclosedElements()) {
                Set<Modifier> modifiers = member.getModifiers();
                boolean visible = env.isIncluded(type) ? env.isIncluded(member)
                        : modifiers.contains(Modifier.PUBLIC) || modifiers.contains(Modifier.PROTECTED);
                if (!visible || member instanceof TypeElement || member.getKind() == ElementKind.RECORD_COMPONENT
                        || member.getKind() == ElementKind.CONSTRUCTOR && !env.isIncluded(type)
                        || isGenerated(trees, env.getElementUtils(), type, member)
                        || overrides(env.getElementUtils(), env.getTypeUtils(), type, member) || !seen.add(member)) {
                    continue;
                }
                check(trees, member, found);
            }
        }

        private static TypeElement superclass(Types types, TypeElement type) {
            Element superclass = types.asElement(type.getSuperclass());
            return superclass instanceof TypeElement ? (TypeElement) superclass : null;
        }

        private static void check(DocTrees trees, Element e, List<String> found) {
            checked++;
            DocCommentTree comment = trees.getDocCommentTree(e);
            if (comment != null) {
                return;
            }
            TreePath path = trees.getPath(e);
            if (path == null) {
                found.add(e.getKind() == ElementKind.PACKAGE ? "(no package-info.java) package " + e : "? " + e);
                return;
            }
            CompilationUnitTree unit = path.getCompilationUnit();
            long start = trees.getSourcePositions().getStartPosition(unit, path.getLeaf());
            found.add(SOURCES.toAbsolutePath().relativize(Path.of(unit.getSourceFile().toUri()).toAbsolutePath())
                    + ":" + unit.getLineMap().getLineNumber(start) + " " + describe(e));
        }

        /** Such as {@code method io.jcnn.nn.Param.name()} or {@code constructor io.jcnn.nn.ReLU(java.lang.String)}. */
        private static String describe(Element e) {
            String kind = e.getKind().toString().toLowerCase(Locale.ROOT);
            if (e instanceof PackageElement) {
                return kind + " " + ((PackageElement) e).getQualifiedName();
            }
            if (e instanceof TypeElement) {
                return kind + " " + ((TypeElement) e).getQualifiedName();
            }
            String owner = ((TypeElement) e.getEnclosingElement()).getQualifiedName().toString();
            if (e instanceof ExecutableElement) {
                String parameters = ((ExecutableElement) e).getParameters().stream()
                        .map(p -> p.asType().toString()).collect(Collectors.joining(", "));
                String name = e.getKind() == ElementKind.CONSTRUCTOR ? owner : owner + "." + e.getSimpleName();
                return kind + " " + name + "(" + parameters + ")";
            }
            return kind + " " + owner + "." + e.getSimpleName();
        }

        /**
         * A member the compiler wrote: a default constructor, an enum's {@code values()} and {@code valueOf}, a
         * record's implicit accessors and canonical constructor. JDKs do not mark them all alike, so besides the
         * element's origin: it has no source tree, or its tree sits at its type's declaration.
         */
        private static boolean isGenerated(DocTrees trees, Elements elements, TypeElement type, Element member) {
            if (elements.getOrigin(member) != Elements.Origin.EXPLICIT) {
                return true;
            }
            TreePath path = trees.getPath(member);
            TreePath owner = trees.getPath(type);
            if (path == null || owner == null) {
                return true;
            }
            long memberStart = trees.getSourcePositions().getStartPosition(path.getCompilationUnit(), path.getLeaf());
            long ownerStart = trees.getSourcePositions().getStartPosition(owner.getCompilationUnit(), owner.getLeaf());
            return memberStart < 0 || memberStart == ownerStart;
        }

        /** A method overriding one of a supertype inherits that method's comment, as javadoc shows it. */
        private static boolean overrides(Elements elements, Types types, TypeElement type, Element member) {
            if (member.getKind() != ElementKind.METHOD || member.getModifiers().contains(Modifier.STATIC)) {
                return false;
            }
            ExecutableElement method = (ExecutableElement) member;
            List<TypeMirror> pending = new ArrayList<>(types.directSupertypes(type.asType()));
            while (!pending.isEmpty()) {
                Element superType = types.asElement(pending.remove(pending.size() - 1));
                if (!(superType instanceof TypeElement)) {
                    continue;
                }
                for (ExecutableElement candidate : ElementFilter.methodsIn(superType.getEnclosedElements())) {
                    if (elements.overrides(method, candidate, type)) {
                        return true;
                    }
                }
                pending.addAll(types.directSupertypes(superType.asType()));
            }
            return false;
        }
    }
}
