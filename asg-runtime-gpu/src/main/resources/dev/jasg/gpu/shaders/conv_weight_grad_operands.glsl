// Weight-gradient operands of the tiled kernel: reduction over (image, row, block of BK columns). See ConvKernels for the contract every operand block meets.
int QB, stBase = 0;
// phase: the split of the reduction under SPLITK (steps [phase splitSteps, (phase + 1) splitSteps)), else 0
void setupWG(int phase) {
    NCw = pc.NC;
    QB = (pc.Wo + BK - 1) / BK;
    nSteps = pc.N * pc.Ho * QB;
#if SPLITK
    stBase = phase * pc.splitSteps;
    nSteps = clamp(nSteps - stBase, 0, pc.splitSteps);
#endif
}
int bX, bR, bS;
void setupB(int col) {
    int j = col % KW, t = col / KW, i = t % KH, c = t / KH;
    bX = (grp * pc.Cg + c) * pc.H * pc.W;
    bR = i * pc.dh - pc.pt;
    bS = j * pc.dw - pc.pl;
}
int sQ, sA, sB, sP, sN;
bool sRow;
void stepSetup(int st) {
    sLive = st < nSteps;
    st += stBase;
    int qb = st % QB, t = st / QB, p = t % pc.Ho, n = t / pc.Ho;
    sQ = qb * BK;
    sA = ((n * pc.O + grp * pc.M) * pc.Ho + p) * pc.Wo + sQ;
#if BKMAJOR
    sP = p * pc.sh - pc.pt;
    sN = (n * pc.C + grp * pc.Cg) * pc.H * pc.W;
#endif
    int r = p * pc.sh + bR;
    sRow = bok && r >= 0 && r < pc.H;
    sB = n * pc.C * pc.H * pc.W + bX + r * pc.W + bS;
}
float loadA(int m, int kk) {
    return sQ + kk < pc.Wo ? in1[sA + m * pc.Ho * pc.Wo + kk] : 0.0;
}
float loadB(int kk) {
    int q = sQ + kk, s = q * pc.sw + bS;
    return (sRow && q < pc.Wo && s >= 0 && s < pc.W) ? in0[sB + q * pc.sw] : 0.0;
}
// B at column col (kernel element (c, i, j)) and offset kk of the step: the loads of BKMAJOR, one column decomposed per load
float loadBAt(int col, int kk) {
    int j = col % KW, t = col / KW, i = t % KH, c = t / KH;
    int r = sP + i * pc.dh, q = sQ + kk, s = q * pc.sw + j * pc.dw - pc.pl;
    return (col < pc.NC && r >= 0 && r < pc.H && q < pc.Wo && s >= 0 && s < pc.W) ? in0[sN + (c * pc.H + r) * pc.W + s] : 0.0;
}
int outBase(int col) { return grp * pc.M * pc.NC + col; }
#define OUT_ROW (pc.NC)
