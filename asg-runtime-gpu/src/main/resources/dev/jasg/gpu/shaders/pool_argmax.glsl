// int ARGMAX_NAME(ARGMAX_PARAMS, int p, int q): the plane offset of the arg-max of window (p, q) (-1 when no tap
// lies inside the input) with the reference's rule, reading tap (r, c) as ARGMAX_READ. Include it once per set of
// those three defines (and #undef them after).
int ARGMAX_NAME(ARGMAX_PARAMS, int p, int q) {
    int r0 = wStart(0, p), nr = wTaps(0, p), c0 = wStart(1, q), nc = wTaps(1, q), sr = pc.win[4], sc = pc.win[9];
    int best = -1;
    float bv = -INF;
    for (int a = 0; a < nr; a++) {
        int r = r0 + a * sr;
        if (r < 0 || r >= pc.H) continue;
        for (int b = 0; b < nc; b++) {
            int c = c0 + b * sc;
            if (c < 0 || c >= pc.W) continue;
            float v = ARGMAX_READ;
            if (best < 0) best = r * pc.W + c;
            if (v > bv || isNaN(v)) { bv = v; best = r * pc.W + c; }  // the last NaN wins, as in PyTorch and the reference
        }
    }
    return best;
}
