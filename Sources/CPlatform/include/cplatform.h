#ifndef STATUSD_CPLATFORM_H
#define STATUSD_CPLATFORM_H
// Constants Swift's Glibc module leaves out because they need _GNU_SOURCE (O_DIRECT's value differs
// between architectures, so it is taken from the system headers rather than written down).
int cplatform_o_direct(void);
#endif
