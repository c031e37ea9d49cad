/**
 * Datasets and their loading: {@link io.jcnn.data.Dataset} holds labelled images as bytes in memory;
 * {@link io.jcnn.data.Mnist} and {@link io.jcnn.data.Cifar10} read the standard files (and a small MNIST sample is
 * bundled), {@link io.jcnn.data.MnistDownloader} fetches MNIST with verified hashes, and
 * {@link io.jcnn.data.DataLoader} serves shuffled, augmented and normalised float batches, prefetched on a
 * background thread and reproducible from a seed. Nothing here touches a backend: batches are host arrays that the
 * model package copies into tensors.
 */
package io.jcnn.data;
