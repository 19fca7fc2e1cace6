/**
 * Recurrent layers as PyTorch has them: {@link dev.jasg.nn.recurrent.RNN}, {@link dev.jasg.nn.recurrent.LSTM},
 * {@link dev.jasg.nn.recurrent.GRU} (multi-layer, bidirectional, {@code batch_first}, dropout between layers,
 * initial states, {@code pack_padded_sequence}-style lengths) and the single-step cells
 * {@link dev.jasg.nn.recurrent.RNNCell}, {@link dev.jasg.nn.recurrent.LSTMCell}, {@link dev.jasg.nn.recurrent.GRUCell}.
 *
 * <p>The layers are unrolled: the graph holds one copy of the cell per time step, built for the concrete
 * sequence length of the input (the batch size may stay symbolic), and autograd differentiates through time
 * like any other graph. A different sequence length needs another graph. Parameter names, shapes, gate order
 * and initialisation are PyTorch's, so a PyTorch {@code state_dict} loads by name.
 */
package dev.jasg.nn.recurrent;
