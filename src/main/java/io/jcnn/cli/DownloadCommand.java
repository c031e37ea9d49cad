package io.jcnn.cli;

import io.jcnn.data.MnistDownloader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jcnn download}: fetches the full MNIST, verifying every file's SHA-256. */
@Command(name = "download",
        mixinStandardHelpOptions = true,
        description = "Download the official MNIST files (60,000 training and 10,000 test digits), each verified by"
                + " its SHA-256; files already present and valid are kept. Then: jcnn train --data DIR.")
final class DownloadCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "data/mnist",
            description = "Where to put the files. Default: ${DEFAULT-VALUE}.")
    private Path dir;

    @Option(names = "--base-url", paramLabel = "URL", defaultValue = MnistDownloader.DEFAULT_BASE_URL,
            description = "Where to download from (a mirror with the same file names). Default: ${DEFAULT-VALUE}.")
    private String baseUrl;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        MnistDownloader downloader = new MnistDownloader(baseUrl);
        long[] lastReport = {0};
        List<String> fetched = downloader.download(dir, (file, received, total) -> {
            long now = System.nanoTime();
            if (now - lastReport[0] > 2_000_000_000L || received == total) {
                lastReport[0] = now;
                out.printf(Locale.ROOT, "%s: %,d of %s bytes%n", file, received,
                        total < 0 ? "?" : String.format(Locale.ROOT, "%,d", total));
                out.flush();
            }
        });
        out.printf(Locale.ROOT, "MNIST is in %s (%d file(s) downloaded, %d already there); train on it with:"
                + " jcnn train --data %s%n", dir, fetched.size(), MnistDownloader.OFFICIAL_SHA256.size()
                - fetched.size(), dir);
        return 0;
    }
}
