package io.jcnn.backend.cuda;

import io.jcnn.backend.Backend;
import io.jcnn.backend.Collective;
import io.jcnn.tensor.Tensor;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.nccl;
import org.bytedeco.cuda.nccl.ncclComm;
import org.bytedeco.cuda.nccl.ncclUniqueId;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One GPU's rank in an NCCL communicator (the NCCL binding of JavaCPP's CUDA presets, which loads the machine's
 * libnccl.so.2). Collectives are queued on the backend's compute stream, after the kernels that wrote the gradients
 * and before the optimizer's, so the host never waits for them; a group of tensors goes in one NCCL group call, which
 * NCCL fuses into few launches. Buffers are passed to NCCL by their device addresses in the backend's own context,
 * the device's primary context, which NCCL also uses.
 */
public final class NcclCollective implements Collective {
    private static final Object PROBE_LOCK = new Object();
    private static boolean probed;
    private static String unavailable;
    private static String version;

    private final CudaBackend backend;
    private final ncclComm comm;
    private final int rank;
    private final int size;
    private boolean released;

    private NcclCollective(CudaBackend backend, ncclComm comm, int rank, int size) {
        this.backend = backend;
        this.comm = comm;
        this.rank = rank;
        this.size = size;
    }

    /** Null when NCCL loads and reports its version; otherwise what is missing, in one line. */
    public static String unavailableReason() {
        synchronized (PROBE_LOCK) {
            if (!probed) {
                probed = true;
                unavailable = probe();
            }
            return unavailable;
        }
    }

    /** The loaded NCCL's version, such as {@code 2.28.0}, or null when it is unavailable. */
    public static String version() {
        return unavailableReason() == null ? version : null;
    }

    private static String probe() {
        String noDevice = CudaProbe.get().deviceUnavailableReason();
        if (noDevice != null) {
            return "no CUDA device: " + noDevice;
        }
        try {
            Loader.load(nccl.class);
            int[] code = new int[1];
            int status = nccl.ncclGetVersion(code);
            if (status != nccl.ncclSuccess) {
                return "ncclGetVersion failed: " + errorString(status);
            }
            int v = code[0];
            version = v >= 10000 ? v / 10000 + "." + v % 10000 / 100 + "." + v % 100
                    : v / 1000 + "." + v % 1000 / 100 + "." + v % 100;
            return null;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            return "libnccl.so.2 or the CUDA runtime libcudart.so.13 did not load (install NCCL 2, for instance the"
                    + " nvidia-nccl-cu13 wheel, and put its lib directory on LD_LIBRARY_PATH): "
                    + (message.length() > 200 ? message.substring(0, 200) + "..." : message);
        }
    }

    /**
     * One rank per backend, rank {@code i} at index {@code i}, made with {@code ncclCommInitAll} for one process
     * driving several GPUs. Each rank is then used by the thread that drives its backend.
     *
     * @throws IllegalArgumentException if NCCL is unavailable, a backend is not a CUDA backend, or two backends are
     *                                  the same GPU
     */
    public static List<Collective> group(List<Backend> backends) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalArgumentException("NCCL is not available: " + reason);
        }
        int n = backends.size();
        int[] devices = new int[n];
        Set<Integer> seen = new HashSet<>();
        List<CudaBackend> gpus = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            if (!(backends.get(r) instanceof CudaBackend gpu)) {
                throw new IllegalArgumentException("NCCL joins GPUs only; rank " + r + " is on "
                        + backends.get(r).name());
            }
            devices[r] = gpu.context().ordinal;
            if (!seen.add(devices[r])) {
                throw new IllegalArgumentException("NCCL: GPU " + devices[r] + " is given twice; each rank needs a"
                        + " GPU of its own");
            }
            gpus.add(gpu);
        }
        PointerPointer<ncclComm> comms = new PointerPointer<>(n);
        gpus.get(0).context().makeCurrent();
        check(nccl.ncclCommInitAll(comms, n, devices), "ncclCommInitAll", n + " GPUs");
        List<Collective> ranks = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            ranks.add(new NcclCollective(gpus.get(r), new ncclComm(comms.get(r)), r, n));
        }
        comms.close();
        return List.copyOf(ranks);
    }

    /** The size of an NCCL unique id, in bytes. */
    public static final int UNIQUE_ID_BYTES = 128;

    /**
     * A new NCCL unique id, which names one communicator across processes and machines: rank 0 makes it and hands
     * it to the other ranks (through Spark's barrier {@code allGather}, say), and every rank then calls
     * {@link #joinRank}.
     *
     * @throws IllegalArgumentException if NCCL is unavailable
     */
    public static byte[] newUniqueId() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalArgumentException("NCCL is not available: " + reason);
        }
        try (ncclUniqueId id = new ncclUniqueId()) {
            check(nccl.ncclGetUniqueId(id), "ncclGetUniqueId", "a new communicator");
            byte[] bytes = new byte[UNIQUE_ID_BYTES];
            id.internal().get(bytes);
            return bytes;
        }
    }

    /**
     * Rank {@code rank} of the {@code size}-rank communicator named by {@code uniqueId} ({@link #newUniqueId}), on
     * {@code backend}'s GPU. Blocks until every rank has joined, as {@code ncclCommInitRank} does.
     *
     * @throws IllegalArgumentException if NCCL is unavailable, the backend is not a GPU, the rank is not in
     *                                  {@code [0, size)} or the id is not {@value #UNIQUE_ID_BYTES} bytes
     */
    public static Collective joinRank(Backend backend, int size, byte[] uniqueId, int rank) {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalArgumentException("NCCL is not available: " + reason);
        }
        if (!(backend instanceof CudaBackend gpu)) {
            throw new IllegalArgumentException("NCCL joins GPUs only; this rank is on " + backend.name());
        }
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("NCCL rank " + rank + " is not a rank of a " + size + "-rank"
                    + " communicator");
        }
        if (uniqueId.length != UNIQUE_ID_BYTES) {
            throw new IllegalArgumentException("an NCCL unique id has " + UNIQUE_ID_BYTES + " bytes, got "
                    + uniqueId.length);
        }
        gpu.context().makeCurrent();
        try (ncclUniqueId id = new ncclUniqueId()) {
            id.internal().put(uniqueId);
            ncclComm comm = new ncclComm();
            check(nccl.ncclCommInitRank(comm, size, id, rank), "ncclCommInitRank", "rank " + rank + " of " + size);
            return new NcclCollective(gpu, comm, rank, size);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String transport() {
        return "NCCL " + version;
    }

    @Override
    public void allReduceMean(List<Tensor> tensors) {
        grouped("ncclAllReduce", "all-reduce", tensors, (buffer, count) -> nccl.ncclAllReduce(buffer, buffer, count,
                nccl.ncclFloat32, nccl.ncclAvg, comm, (CUstream_st) null));
    }

    @Override
    public void broadcast(List<Tensor> tensors, int root) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("broadcast root must be a rank from 0 to " + (size - 1) + ", got "
                    + root);
        }
        grouped("ncclBroadcast", "broadcast", tensors, (buffer, count) -> nccl.ncclBroadcast(buffer, buffer, count,
                nccl.ncclFloat32, root, comm, (CUstream_st) null));
    }

    /** One in-place NCCL call on one buffer of {@code count} floats; returns the NCCL status. */
    @FunctionalInterface
    private interface BufferCall {
        int on(Pointer buffer, long count);
    }

    /** {@code call} on every tensor, inside one NCCL group so that NCCL can fuse them. */
    private void grouped(String callName, String operation, List<Tensor> tensors, BufferCall call) {
        CudaContext context = open(operation);
        check(nccl.ncclGroupStart(), "ncclGroupStart", operation);
        int status = nccl.ncclSuccess;
        for (Tensor t : tensors) {
            status = call.on(new Address(DeviceAddress.of(context.pointer(mine(t)))), t.size());
            if (status != nccl.ncclSuccess) {
                break;
            }
        }
        // The group is always closed, so that a failed call does not leave this thread inside it.
        int ended = nccl.ncclGroupEnd();
        String what = operation + " of " + tensors.size() + " tensors on rank " + rank;
        check(status, callName, what);
        check(ended, "ncclGroupEnd", what);
    }

    @Override
    public synchronized void abort() {
        if (!released) {
            released = true;
            nccl.ncclCommAbort(comm);
        }
    }

    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            nccl.ncclCommDestroy(comm);
        }
    }

    private synchronized CudaContext open(String operation) {
        if (released) {
            throw new IllegalStateException("NCCL " + operation + " on rank " + rank + ": the communicator was"
                    + " closed or aborted");
        }
        CudaContext context = backend.context();
        context.makeCurrent();
        return context;
    }

    private Tensor mine(Tensor t) {
        if (t.backend() != backend) {
            throw new IllegalArgumentException("NCCL rank " + rank + ": a tensor of shape " + t.shape()
                    + " lives on " + t.backend().name() + ", not on this rank's GPU");
        }
        return t;
    }

    private static void check(int status, String call, String what) {
        if (status != nccl.ncclSuccess) {
            throw new CudaException(call + " failed (" + what + "): " + errorString(status) + " (NCCL status "
                    + status + ")");
        }
    }

    private static String errorString(int status) {
        return nccl.ncclGetErrorString(status).getString();
    }

    /** A JavaCPP pointer at a device address. */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }
}
