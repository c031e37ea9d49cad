/**
 * The {@code jcnn} command line ({@link io.jcnn.cli.Main}): train, eval, predict, explain, download and info,
 * built on the rest of the library. It is the only package that uses picocli, progressbar and XChart, which are
 * optional dependencies of the library artifact: programs using jcnn as a library do not get them, and the
 * runnable jar (classifier {@code all}) bundles them. Its classes serve the command line and are not a library API;
 * programs should use the other packages.
 */
package io.jcnn.cli;
