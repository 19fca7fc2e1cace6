/**
 * Attention and transformers, with PyTorch's names and {@code batch_first} layout
 * ({@code [batch, seq, embed]}): {@link dev.jasg.nn.attention.Attention scaled dot-product
 * attention}, {@link dev.jasg.nn.attention.MultiHeadAttention}, the
 * {@link dev.jasg.nn.attention.FeedForward} network, encoder and decoder blocks (pre- and
 * post-LN), and position information: sinusoidal, learned, rotary (RoPE) and ALiBi. All are
 * composites of core ops; masks are constants or fed BOOL/float tensors.
 */
package dev.jasg.nn.attention;
