// The body of a fused group (Fusion.body) replaces this placeholder in a kernel built with one; a kernel without
// a fused group (EPILOGUE 0) includes it but compiles none of it.
