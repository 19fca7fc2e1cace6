package dev.jasg.viewer.inspect;

/**
 * What the inspector says about one op in one language.
 *
 * @param name    a human name, e.g. "Matrix multiplication"
 * @param what    what the op computes
 * @param formula its formula (plain text with Unicode math)
 * @param why     why models use it
 */
public record OpText(String name, String what, String formula, String why) {}
