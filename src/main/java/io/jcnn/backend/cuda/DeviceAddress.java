package io.jcnn.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * The numeric device address behind a JCuda pointer, for libraries bound by other means (NCCL through JavaCPP) that
 * take addresses as plain numbers. JCuda keeps the number to itself; a copy made by this subclass may read it.
 */
final class DeviceAddress extends CUdeviceptr {

    private DeviceAddress(CUdeviceptr pointer) {
        super(pointer);
    }

    /** {@code pointer}'s address, its byte offset included. */
    static long of(CUdeviceptr pointer) {
        DeviceAddress copy = new DeviceAddress(pointer);
        return copy.getNativePointer() + copy.getByteOffset();
    }
}
