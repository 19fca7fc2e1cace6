// conv_transpose2d operands of the tiled kernel (one phase per stride residue). See ConvKernels for the contract every operand block meets.
int pa, pb, i0, iSt, nI, j0, jSt, nJ, Hu, Wv, CB;
int fdiv(int a, int d) { int q = a / d; return q * d > a ? q - 1 : q; }
void setupWG(int phase) {
    pa = phase % SH;
    pb = phase / SH;
    nI = 0; i0 = 0; iSt = 1;
    for (int i = 0; i < KH; i++) {
        int x = pa + pc.pt - i * pc.dh;
        if (x - SH * fdiv(x, SH) != 0) continue;
        if (nI == 0) i0 = i; else if (nI == 1) iSt = i - i0;
        nI++;
    }
    nJ = 0; j0 = 0; jSt = 1;
    for (int j = 0; j < KW; j++) {
        int x = pb + pc.pl - j * pc.dw;
        if (x - SW * fdiv(x, SW) != 0) continue;
        if (nJ == 0) j0 = j; else if (nJ == 1) jSt = j - j0;
        nJ++;
    }
    Hu = (pc.Ho - pa + SH - 1) / SH;
    Wv = (pc.Wo - pb + SW - 1) / SW;
    NCw = pc.N * Hu * Wv;
    CB = (pc.Cg + BK - 1) / BK;
    nSteps = nI * nJ * CB;
}
int bX, bR, bS;
void setupB(int col) {
    int v = col % Wv, t = col / Wv, u = t % Hu, n = t / Hu;
    bX = (n * pc.C + grp * pc.Cg) * pc.H * pc.W;
    bR = pa + u * SH + pc.pt;
    bS = pb + v * SW + pc.pl;
}
int sC, sTap, sOff;
bool sIn;
void stepSetup(int st) {
    sLive = st < nSteps;
    int cb = st % CB, t = st / CB, jj = t % max(nJ, 1), ii = t / max(nJ, 1);
    int i = i0 + ii * iSt, j = j0 + jj * jSt;
    sTap = i * KW + j;
    sC = cb * BK;
    // exact divisions: the phase guarantees both numerators are multiples of the strides
    int pn = bR - i * pc.dh, qn = bS - j * pc.dw;
    int p = pn / SH, q = qn / SW;
    sIn = bok && pn >= 0 && qn >= 0 && p < pc.H && q < pc.W;
    sOff = bX + p * pc.W + q;
}
float loadA(int m, int kk) {
    int c = sC + kk;
#if TAPMAJOR
    return c < pc.Cg ? in1[(sTap * pc.M + m) * (pc.G * pc.Cg) + grp * pc.Cg + c] : 0.0;
#else
    return c < pc.Cg ? in1[((grp * pc.Cg + c) * pc.M + m) * (KH * KW) + sTap] : 0.0;
#endif
}
float loadB(int kk) {
    int c = sC + kk;
    return (sIn && c < pc.Cg) ? in0[sOff + c * pc.H * pc.W] : 0.0;
}
int outBase(int col) {
    int v = col % Wv, t = col / Wv, u = t % Hu, n = t / Hu;
    return (n * pc.O + grp * pc.M) * pc.Ho * pc.Wo + (pa + u * SH) * pc.Wo + pb + v * SW;
}
#define OUT_ROW (pc.Ho * pc.Wo)
