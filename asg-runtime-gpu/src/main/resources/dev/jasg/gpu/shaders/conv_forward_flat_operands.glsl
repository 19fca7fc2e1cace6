// conv2d operands for fewer channels per group than BK (a first layer): one flat k = (c, i, j), decomposed per load. See ConvKernels for the contract every operand block meets.
void setupWG(int phase) {
    NCw = pc.NC;
    nSteps = (pc.K + BK - 1) / BK;
}
int bX, bR, bS;
void setupB(int col) {
    int q = col % pc.Wo, t = col / pc.Wo, p = t % pc.Ho, n = t / pc.Ho;
    bX = (n * pc.C + grp * pc.Cg) * pc.H * pc.W;
    bR = p * pc.sh - pc.pt;
    bS = q * pc.sw - pc.pl;
}
int sK;
void stepSetup(int st) {
    sLive = st < nSteps;
    sK = st * BK;
}
float loadA(int m, int kk) {
    int k = sK + kk;
    return k < pc.K ? in1[(grp * pc.M + m) * pc.K + k] : 0.0;
}
float loadB(int kk) {
    int k = sK + kk;
    if (k >= pc.K) return 0.0;
    int j = k % KW, t = k / KW, i = t % KH, c = t / KH;
    int r = bR + i * pc.dh, s = bS + j * pc.dw;
    return (r >= 0 && r < pc.H && s >= 0 && s < pc.W) ? in0[bX + (c * pc.H + r) * pc.W + s] : 0.0;
}
int outBase(int col) {
    int hw = pc.Ho * pc.Wo, n = col / hw;
    return (n * pc.O + grp * pc.M) * hw + (col - n * hw);
}
#define OUT_ROW (pc.Ho * pc.Wo)
