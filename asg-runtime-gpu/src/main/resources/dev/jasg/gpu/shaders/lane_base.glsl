// Where lane i of a one-axis-per-invocation kernel starts (push constants len, inner).
uint laneBase(uint i) { return (i / pc.inner) * pc.len * pc.inner + i % pc.inner; }
