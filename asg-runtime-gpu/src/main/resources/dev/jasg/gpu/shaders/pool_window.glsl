// Pooling windows given as five ints per axis in pc.win (a, b, d, e, step): window o along an axis starts at
// floor((o a + b) / d) and has floor((o a + e) / d) - start taps, step apart.
// fixed windows divide by 1: skip the (costly) integer division there
int fdiv(int a, int d) { if (d == 1) return a; int q = a / d; return q * d > a ? q - 1 : q; }
int wStart(int ax, int o) { return fdiv(o * pc.win[ax * 5] + pc.win[ax * 5 + 1], pc.win[ax * 5 + 2]); }
int wTaps(int ax, int o) { return fdiv(o * pc.win[ax * 5] + pc.win[ax * 5 + 3], pc.win[ax * 5 + 2]) - wStart(ax, o); }
