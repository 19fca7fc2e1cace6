/**
 * The reference interpreter: a backend that runs graphs with naive double-precision loops.
 * It is slow on purpose and simple enough to check by reading; every other backend and the
 * gradient checker are tested against it.
 */
package dev.jasg.core.reference;
