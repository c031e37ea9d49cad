/**
 * Optimizers and learning-rate schedules. {@link io.jcnn.optim.Sgd} and {@link io.jcnn.optim.Adam} update a
 * model's {@link io.jcnn.nn.Param parameters} in place through the backend's fused step operations, with state
 * allocated once; {@link io.jcnn.optim.LearningRateSchedule}s such as {@link io.jcnn.optim.CosineSchedule} and
 * {@link io.jcnn.optim.StepSchedule} set the rate by epoch or step.
 */
package io.jcnn.optim;
