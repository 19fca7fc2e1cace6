// conv2d operands of the tiled kernel, blocked over (tap, block of BK channels). See ConvKernels for the contract every operand block meets.
int CB;
void setupWG(int phase) {
    NCw = pc.NC;
    CB = (pc.Cg + BK - 1) / BK;
    nSteps = KH * KW * CB;
}
int bX, bR, bS;
void setupB(int col) {
    int q = col % pc.Wo, t = col / pc.Wo, p = t % pc.Ho, n = t / pc.Ho;
    bX = (n * pc.C + grp * pc.Cg) * pc.H * pc.W;
    bR = p * pc.sh - pc.pt;
    bS = q * pc.sw - pc.pl;
}
int sC, sTap, sOff;
bool sIn;
void stepSetup(int st) {
    sLive = st < nSteps;
    int cb = st % CB;
    sTap = st / CB;
    sC = cb * BK;
    int i = sTap / KW, j = sTap - i * KW, r = bR + i * pc.dh, s = bS + j * pc.dw;
    sIn = bok && r >= 0 && r < pc.H && s >= 0 && s < pc.W;
    sOff = bX + r * pc.W + s;
}
float loadA(int m, int kk) {
    int c = sC + kk;
#if TAPMAJOR
    return c < pc.Cg ? in1[((sTap * pc.G + grp) * pc.M + m) * pc.Cg + c] : 0.0;
#else
    return c < pc.Cg ? in1[((grp * pc.M + m) * pc.Cg + c) * (KH * KW) + sTap] : 0.0;
#endif
}
float loadB(int kk) {
    int c = sC + kk;
    return (sIn && c < pc.Cg) ? in0[sOff + c * pc.H * pc.W] : 0.0;
}
int outBase(int col) {
    int hw = pc.Ho * pc.Wo, n = col / hw;
    return (n * pc.O + grp * pc.M) * hw + (col - n * hw);
}
#define OUT_ROW (pc.Ho * pc.Wo)
