/**
 * Models and training: {@link io.jcnn.model.Sequential} chains layers, {@link io.jcnn.model.Models} names the
 * reference networks (LeNet, AlexNet-style, an MLP), {@link io.jcnn.model.Trainer} runs the training loop with
 * evaluation, checkpoints and stopping, {@link io.jcnn.model.Evaluation} measures a classifier, and
 * {@link io.jcnn.model.Checkpoint} saves and loads parameters, optimizer state and progress in a backend-independent
 * file. Like layers, everything here reaches the device only through {@link io.jcnn.backend.Backend}.
 */
package io.jcnn.model;
