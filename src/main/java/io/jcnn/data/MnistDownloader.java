package io.jcnn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Downloads the four official MNIST files into a directory. Each file is verified against its published SHA-256
 * before it is moved into place (written to a temporary file, then renamed), so a directory never holds a partial
 * or corrupted file under an official name. Files already present with the right hash are not fetched again.
 */
public final class MnistDownloader {
    private static final System.Logger LOG = System.getLogger(MnistDownloader.class.getName());
    /** A public mirror of the original files, byte-identical to them. */
    public static final String DEFAULT_BASE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/";
    /** The official files' SHA-256 hashes. */
    public static final Map<String, String> OFFICIAL_SHA256 = officialHashes();

    private final String baseUrl;
    private final Map<String, String> expected;
    private final HttpClient client;

    /** Progress of one file: bytes received so far and the total, or −1 when the server did not say. */
    @FunctionalInterface
    public interface Progress {
        /** Reports nothing. */
        Progress NONE = (file, received, total) -> {
        };

        /** Called as bytes of {@code file} arrive: {@code received} so far out of {@code total}, or −1 when unknown. */
        void update(String file, long received, long total);
    }

    /**
     * A downloader of the four official files (gzipped) from {@code baseUrl}, such as {@link #DEFAULT_BASE_URL}.
     *
     * @throws NullPointerException if {@code baseUrl} is null
     * @throws IllegalArgumentException if {@code baseUrl} is not an http or https URL
     */
    public MnistDownloader(String baseUrl) {
        this(baseUrl, OFFICIAL_SHA256);
    }

    /** A downloader for any files with known hashes (tests serve files of their own). */
    public MnistDownloader(String baseUrl, Map<String, String> expectedSha256) {
        Objects.requireNonNull(baseUrl, "base URL");
        String base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        URI uri;
        try {
            uri = URI.create(base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("base URL '" + baseUrl + "' is not a valid URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("base URL '" + baseUrl + "' must start with http:// or https://");
        }
        this.baseUrl = base;
        this.expected = new LinkedHashMap<>(expectedSha256);
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /**
     * Makes {@code dir} hold every file, verified.
     *
     * @return the files actually downloaded (the others were already there and valid)
     */
    public java.util.List<String> download(Path dir, Progress progress) throws IOException {
        Files.createDirectories(dir);
        java.util.List<String> fetched = new java.util.ArrayList<>();
        for (Map.Entry<String, String> file : expected.entrySet()) {
            Path target = dir.resolve(file.getKey());
            if (Files.exists(target) && sha256(target).equals(file.getValue())) {
                continue;
            }
            fetch(file.getKey(), file.getValue(), target, progress);
            fetched.add(file.getKey());
        }
        return fetched;
    }

    private void fetch(String name, String sha256, Path target, Progress progress) throws IOException {
        String url = baseUrl + name;
        Path temporary = Files.createTempFile(target.getParent(), "." + name, ".part");
        try {
            HttpResponse<InputStream> response;
            try {
                response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                        .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("download of " + url + " was interrupted", e);
            } catch (IOException e) {
                throw new IOException("cannot download " + url + ": " + reason(e)
                        + "; check the network or pass another base URL", e);
            }
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("cannot download " + url + ": HTTP status " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            MessageDigest digest = newDigest();
            try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(temporary)) {
                byte[] buffer = new byte[1 << 16];
                long received = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    digest.update(buffer, 0, n);
                    received += n;
                    progress.update(name, received, total);
                }
            } catch (IOException e) {
                throw new IOException("cannot download " + url + ": " + reason(e), e);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(sha256)) {
                throw new IOException("downloaded " + url + " has SHA-256 " + actual + ", expected " + sha256
                        + "; the file is corrupted or not the official one, so it was not kept");
            }
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.log(System.Logger.Level.DEBUG, () -> "downloaded " + url + " to " + target + ", SHA-256 verified");
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The SHA-256 of a file, in lowercase hexadecimal. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String reason(IOException e) {
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            return "connection refused or network unreachable";
        }
        if (e instanceof UnknownHostException || e.getCause() instanceof UnknownHostException) {
            return "unknown host (offline?)";
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connection timed out";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    private static Map<String, String> officialHashes() {
        Map<String, String> hashes = new LinkedHashMap<>();
        hashes.put(Mnist.TRAIN_IMAGES + ".gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609");
        hashes.put(Mnist.TRAIN_LABELS + ".gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c");
        hashes.put(Mnist.TEST_IMAGES + ".gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6");
        hashes.put(Mnist.TEST_LABELS + ".gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6");
        return java.util.Collections.unmodifiableMap(hashes);
    }
}
