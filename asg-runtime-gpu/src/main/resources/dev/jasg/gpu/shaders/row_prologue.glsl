// The fused group computing a row gradient's g (Fusion.body with prefix "p") replaces this placeholder in a
// row_gradient.comp built with one; a kernel reading g (G_PROLOGUE 0) includes it but compiles none of it.
