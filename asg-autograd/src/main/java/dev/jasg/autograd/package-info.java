/**
 * Graph-to-graph reverse-mode differentiation: {@link dev.jasg.autograd.Autograd#gradients}
 * turns a graph and a scalar loss into a second graph that continues it and computes the
 * gradients, using one vector-Jacobian product per op ({@link dev.jasg.autograd.Vjp}) written
 * with the public {@link dev.jasg.core.Tensor} API, so gradients can be differentiated again.
 */
package dev.jasg.autograd;
