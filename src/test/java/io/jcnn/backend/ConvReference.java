package io.jcnn.backend;

/**
 * The convolution oracle: direct loops in double precision straight from the definition (cross-correlation with
 * zero padding), one loop nest per pass, no im2col and no cleverness. Arrays are row-major as in {@link Backend}.
 */
public final class ConvReference {
    private ConvReference() {
    }

    /** y[n,k,p,q] = Σ over c in k's group, r, s of x[n,c,p·sh−ph+r·dh, q·sw−pw+s·dw] · w[k,c−group start,r,s]. */
    public static double[] forward(ConvGeometry g, double[] x, double[] w) {
        double[] y = new double[g.output().size()];
        visit(g, (xi, wi, yi) -> y[yi] += x[xi] * w[wi]);
        return y;
    }

    /** dx = Σ over every tap that read x of dy times the filter weight of that tap. */
    public static double[] backwardData(ConvGeometry g, double[] dy, double[] w) {
        double[] dx = new double[g.input().size()];
        visit(g, (xi, wi, yi) -> dx[xi] += dy[yi] * w[wi]);
        return dx;
    }

    /** dw = Σ over every tap that used the weight of dy times the input value it read. */
    public static double[] backwardFilter(ConvGeometry g, double[] x, double[] dy) {
        double[] dw = new double[g.filter().size()];
        visit(g, (xi, wi, yi) -> dw[wi] += dy[yi] * x[xi]);
        return dw;
    }

    private interface Tap {
        void at(int xIndex, int wIndex, int yIndex);
    }

    /** Calls {@code tap} for every (input, weight, output) triple of the convolution that is not in padding. */
    private static void visit(ConvGeometry g, Tap tap) {
        ConvSpec sp = g.spec();
        int cPerGroup = g.inChannels() / g.groups();
        int kPerGroup = g.outChannels() / g.groups();
        for (int n = 0; n < g.batch(); n++) {
            for (int k = 0; k < g.outChannels(); k++) {
                int group = k / kPerGroup;
                for (int p = 0; p < g.outHeight(); p++) {
                    for (int q = 0; q < g.outWidth(); q++) {
                        int yIndex = ((n * g.outChannels() + k) * g.outHeight() + p) * g.outWidth() + q;
                        for (int cg = 0; cg < cPerGroup; cg++) {
                            int c = group * cPerGroup + cg;
                            for (int r = 0; r < g.kernelH(); r++) {
                                int ih = p * sp.strideH() - sp.padH() + r * sp.dilationH();
                                if (ih < 0 || ih >= g.inHeight()) {
                                    continue;
                                }
                                for (int s = 0; s < g.kernelW(); s++) {
                                    int iw = q * sp.strideW() - sp.padW() + s * sp.dilationW();
                                    if (iw < 0 || iw >= g.inWidth()) {
                                        continue;
                                    }
                                    int xIndex = ((n * g.inChannels() + c) * g.inHeight() + ih) * g.inWidth() + iw;
                                    int wIndex = ((k * cPerGroup + cg) * g.kernelH() + r) * g.kernelW() + s;
                                    tap.at(xIndex, wIndex, yIndex);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
