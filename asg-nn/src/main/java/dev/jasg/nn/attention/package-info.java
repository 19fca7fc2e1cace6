/**
 * Attention and transformers, with PyTorch's names: {@link dev.jasg.nn.attention.Attention scaled
 * dot-product attention}, {@link dev.jasg.nn.attention.MultiHeadAttention} (PyTorch's parameter
 * layout, {@code need_weights}, {@code add_bias_kv}, {@code add_zero_attn} and sequence-first
 * inputs through {@link dev.jasg.nn.attention.MultiHeadAttention#options(int, int)}), the
 * {@link dev.jasg.nn.attention.Transformer} encoder-decoder with
 * {@link dev.jasg.nn.attention.TransformerEncoder}, {@link dev.jasg.nn.attention.TransformerDecoder}
 * and their layers, which load a PyTorch {@code state_dict} by name; the older batch-first
 * encoder and decoder blocks and {@link dev.jasg.nn.attention.FeedForward} network, and position
 * information: sinusoidal, learned, rotary (RoPE) and ALiBi. All are composites of core ops;
 * masks are constants or fed BOOL/float tensors.
 */
package dev.jasg.nn.attention;
