/**
 * Weight initialisation: {@link io.jcnn.init.Initializer} and the usual schemes (Xavier, He, fixed normal,
 * constant). Values are drawn on the host from counter-based random numbers of a seed, so every backend starts from
 * identical weights.
 */
package io.jcnn.init;
