#ifndef STATUSD_CLZ4_SHIM_H
#define STATUSD_CLZ4_SHIM_H
// The LZ4 frame API (lz4frame.h) gives standard .lz4 files that `lz4 -d` opens (DESIGN invariant 7).
#include <lz4frame.h>
#endif
