#ifndef STATUSD_CLZ4_SHIM_H
#define STATUSD_CLZ4_SHIM_H
// The LZ4 frame API (lz4frame.h) gives standard .lz4 files that `lz4 -d` opens (invariant 7, docs/ARCHITECTURE.md).
#include <lz4frame.h>
#endif
