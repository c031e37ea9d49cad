package io.jcnn.backend;

/**
 * The pooling oracle in double precision: each window scanned in row-major order over the cells that lie in the
 * real input; max keeps the first largest, average divides the window's sum by the full kernel area.
 */
final class PoolReference {
    private PoolReference() {
    }

    static double[] forward(PoolGeometry g, double[] x) {
        double[] y = new double[g.output().size()];
        eachWindow(g, (plane, yIndex, cells) -> {
            if (g.spec().mode() == PoolMode.MAX) {
                y[yIndex] = x[firstMax(x, cells)];
            } else {
                double sum = 0;
                for (int cell : cells) {
                    sum += x[cell];
                }
                y[yIndex] = sum / (g.spec().kernelH() * g.spec().kernelW());
            }
        });
        return y;
    }

    static double[] backward(PoolGeometry g, double[] x, double[] dy) {
        double[] dx = new double[g.input().size()];
        eachWindow(g, (plane, yIndex, cells) -> {
            if (g.spec().mode() == PoolMode.MAX) {
                dx[firstMax(x, cells)] += dy[yIndex];
            } else {
                for (int cell : cells) {
                    dx[cell] += dy[yIndex] / (g.spec().kernelH() * g.spec().kernelW());
                }
            }
        });
        return dx;
    }

    private static int firstMax(double[] x, int[] cells) {
        int best = cells[0];
        for (int cell : cells) {
            if (x[cell] > x[best]) {
                best = cell;
            }
        }
        return best;
    }

    private interface Window {
        void at(int plane, int yIndex, int[] cellsInRowMajorOrder);
    }

    private static void eachWindow(PoolGeometry g, Window window) {
        PoolSpec sp = g.spec();
        int h = g.input().height();
        int w = g.input().width();
        int p = g.output().height();
        int q = g.output().width();
        for (int plane = 0; plane < g.input().batch() * g.input().channels(); plane++) {
            for (int op = 0; op < p; op++) {
                for (int oq = 0; oq < q; oq++) {
                    java.util.List<Integer> cells = new java.util.ArrayList<>();
                    for (int r = 0; r < sp.kernelH(); r++) {
                        for (int s = 0; s < sp.kernelW(); s++) {
                            int ih = op * sp.strideH() - sp.padH() + r;
                            int iw = oq * sp.strideW() - sp.padW() + s;
                            if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                cells.add((plane * h + ih) * w + iw);
                            }
                        }
                    }
                    window.at(plane, (plane * p + op) * q + oq, cells.stream().mapToInt(Integer::intValue).toArray());
                }
            }
        }
    }
}
