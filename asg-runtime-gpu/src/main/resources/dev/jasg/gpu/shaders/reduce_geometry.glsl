// The reduction geometry (push constants nOut, R, kr, rr, kd[4], ks[4], rd[4], rs[4]: up to four merged runs of kept
// and of reduced axes): where output oi's elements start, and where its r-th element lies.
uint keptBase(uint oi) {
    uint base = 0u, t = oi;
    for (int k = int(pc.kr) - 1; k >= 0; k--) {
        uint c = t % pc.kd[k];
        t /= pc.kd[k];
        base += c * pc.ks[k];
    }
    return base;
}
#ifndef DIRECT_INDEXING
#define DIRECT_INDEXING 1
#endif
uint reducedOffset(uint base, uint r) {
#if DIRECT_INDEXING
    // One run of reduced axes (a row, a column; split reductions' r stays within it): r is the run's index itself, so no
    // division and remainder by push constants, which cost a few dozen instructions an element (on the H200 they bound
    // softmax's gradient over [8,12,1024,1024]). Same offsets, same order.
    if (pc.rr == 1u) return base + r * pc.rs[0];
#endif
    uint off = base, u = r;
    for (int k = int(pc.rr) - 1; k >= 0; k--) {
        uint c = u % pc.rd[k];
        u /= pc.rd[k];
        off += c * pc.rs[k];
    }
    return off;
}
