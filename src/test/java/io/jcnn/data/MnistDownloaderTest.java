package io.jcnn.data;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MnistDownloaderTest {
    private static final byte[] CONTENT_A = "first file".getBytes();
    private static final byte[] CONTENT_B = "second file, a little longer".getBytes();

    @TempDir
    Path dir;
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/mnist/", exchange -> {
            requests.incrementAndGet();
            String name = exchange.getRequestURI().getPath().substring("/mnist/".length());
            byte[] body = name.equals("a.gz") ? CONTENT_A : name.equals("b.gz") ? CONTENT_B : null;
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/mnist";
    }

    private static String sha(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void downloadsVerifiesAndSkipsValidFiles() throws Exception {
        Map<String, String> hashes = Map.of("a.gz", sha(CONTENT_A), "b.gz", sha(CONTENT_B));
        MnistDownloader downloader = new MnistDownloader(base(), hashes);
        long[] lastTotal = {0};
        List<String> fetched = downloader.download(dir, (file, received, total) -> lastTotal[0] = total);
        assertEquals(2, fetched.size());
        assertArrayEquals(CONTENT_A, Files.readAllBytes(dir.resolve("a.gz")));
        assertArrayEquals(CONTENT_B, Files.readAllBytes(dir.resolve("b.gz")));
        assertTrue(lastTotal[0] > 0);
        assertEquals(List.of(), downloader.download(dir, MnistDownloader.Progress.NONE));
        assertEquals(2, requests.get(), "valid files are not fetched again");
        Files.write(dir.resolve("a.gz"), "damaged".getBytes());
        assertEquals(List.of("a.gz"), downloader.download(dir, MnistDownloader.Progress.NONE));
    }

    @Test
    void aWrongHashKeepsNothingAndNamesBothHashes() throws Exception {
        String wrong = "0".repeat(64);
        MnistDownloader downloader = new MnistDownloader(base(), Map.of("a.gz", wrong));
        IOException e = assertThrows(IOException.class, () -> downloader.download(dir, MnistDownloader.Progress.NONE));
        assertTrue(e.getMessage().contains(wrong) && e.getMessage().contains(sha(CONTENT_A)), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "no file, not even a temporary one, is left");
        }
    }

    @Test
    void httpErrorsAndUnreachableServersGiveOneClearLine() throws Exception {
        MnistDownloader missing = new MnistDownloader(base(), Map.of("absent.gz", "0".repeat(64)));
        IOException notFound = assertThrows(IOException.class, () -> missing.download(dir,
                MnistDownloader.Progress.NONE));
        assertTrue(notFound.getMessage().contains("absent.gz") && notFound.getMessage().contains("404"),
                notFound.getMessage());
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        MnistDownloader offline = new MnistDownloader("http://127.0.0.1:" + closedPort + "/", Map.of("a.gz",
                sha(CONTENT_A)));
        IOException refused = assertThrows(IOException.class, () -> offline.download(dir,
                MnistDownloader.Progress.NONE));
        assertTrue(refused.getMessage().startsWith("cannot download http://127.0.0.1:" + closedPort + "/a.gz"),
                refused.getMessage());
        assertFalse(refused.getMessage().contains("\n"));
        assertThrows(IllegalArgumentException.class, () -> new MnistDownloader("ftp://example.org/"));
    }

    @Test
    void theOfficialHashesCoverTheFourFiles() {
        assertEquals(List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz"), List.copyOf(MnistDownloader.OFFICIAL_SHA256.keySet()));
        MnistDownloader.OFFICIAL_SHA256.values().forEach(h -> assertTrue(h.matches("[0-9a-f]{64}"), h));
    }
}
