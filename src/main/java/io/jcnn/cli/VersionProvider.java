package io.jcnn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** jcnn's version, from the resource the build fills in (so it is right in tests and IDEs too, not only in jars). */
final class VersionProvider implements IVersionProvider {
    private static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {"jcnn " + version()};
    }

    /** For example {@code 0.1.0-SNAPSHOT}; {@code unknown} when neither the resource nor the jar manifest says. */
    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "");
                if (!version.isBlank() && !version.contains("${")) {
                    return version;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read jcnn's version resource", e);
        }
        String manifestVersion = VersionProvider.class.getPackage().getImplementationVersion();
        return manifestVersion != null ? manifestVersion : "unknown";
    }
}
