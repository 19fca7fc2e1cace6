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
uint reducedOffset(uint base, uint r) {
    uint off = base, u = r;
    for (int k = int(pc.rr) - 1; k >= 0; k--) {
        uint c = u % pc.rd[k];
        u /= pc.rd[k];
        off += c * pc.rs[k];
    }
    return off;
}
