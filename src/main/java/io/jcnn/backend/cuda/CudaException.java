package io.jcnn.backend.cuda;

import jcuda.driver.CUresult;

/** A CUDA call that failed: the message names the call, what it was doing (the op, the shapes) and the status. */
public final class CudaException extends RuntimeException {
    /** An exception with {@code message}, which should name the call, the op and the status. */
    public CudaException(String message) {
        super(message);
    }

    /** Throws unless a driver API call returned CUDA_SUCCESS; {@code what} says what it was for. */
    static void check(int status, String call, String what) {
        if (status != CUresult.CUDA_SUCCESS) {
            throw new CudaException("cuda: " + call + " failed with " + CUresult.stringFor(status)
                    + (what.isEmpty() ? "" : " (" + what + ")"));
        }
    }
}
